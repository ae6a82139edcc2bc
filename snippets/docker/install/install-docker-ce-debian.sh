# Docker's own apt repository, on Debian (on Ubuntu, write "ubuntu" instead of "debian" in both URLs).
# In China, use a mirror of the repository instead, e.g. DOCKER_CE=https://mirrors.ustc.edu.cn/docker-ce
DOCKER_CE=https://download.docker.com

# Debian's own packages conflict with Docker's: remove them first
sudo apt-get remove -y docker.io docker-compose docker-doc podman-docker containerd runc

sudo apt-get update
sudo apt-get install -y ca-certificates curl
sudo install -m 0755 -d /etc/apt/keyrings
sudo curl -fsSL "$DOCKER_CE/linux/debian/gpg" -o /etc/apt/keyrings/docker.asc
sudo chmod a+r /etc/apt/keyrings/docker.asc
echo "deb [arch=$(dpkg --print-architecture) signed-by=/etc/apt/keyrings/docker.asc]" \
  "$DOCKER_CE/linux/debian $(. /etc/os-release && echo "$VERSION_CODENAME") stable" \
  | sudo tee /etc/apt/sources.list.d/docker.list > /dev/null
sudo apt-get update
sudo apt-get install -y docker-ce docker-ce-cli containerd.io docker-buildx-plugin docker-compose-plugin
sudo docker version
