# Point APT at a Debian mirror in China (mirrors.aliyun.com works the same way). Where the sources
# are listed depends on how Debian was installed: sources.list, or debian.sources (deb822 format).
for sources in /etc/apt/sources.list /etc/apt/sources.list.d/debian.sources; do
  if [ -f "$sources" ]; then
    sudo sed -i 's|deb.debian.org|mirrors.tuna.tsinghua.edu.cn|g' "$sources"
  fi
done
sudo apt-get update
