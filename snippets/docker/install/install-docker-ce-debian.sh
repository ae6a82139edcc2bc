# Docker's own apt repository, on Debian (on Ubuntu, see the notes above this script).
# In China, use a mirror of the repository instead, e.g. DOCKER_CE=https://mirrors.ustc.edu.cn/docker-ce
DOCKER_CE=https://download.docker.com

# Debian's own packages conflict with Docker's: remove those that are installed
# shellcheck disable=SC2046  # one word per package name
sudo apt-get remove -y $(dpkg --get-selections docker.io docker-compose docker-doc podman-docker containerd runc | cut -f1)

sudo apt-get update
sudo apt-get install -y ca-certificates curl
sudo install -m 0755 -d /etc/apt/keyrings
sudo curl -fsSL "$DOCKER_CE/linux/debian/gpg" -o /etc/apt/keyrings/docker.asc
sudo chmod a+r /etc/apt/keyrings/docker.asc
# The repository as a deb822 .sources file
sudo tee /etc/apt/sources.list.d/docker.sources > /dev/null <<SOURCES
Types: deb
URIs: $DOCKER_CE/linux/debian
Suites: $(. /etc/os-release && echo "$VERSION_CODENAME")
Components: stable
Signed-By: /etc/apt/keyrings/docker.asc
SOURCES
sudo apt-get update
sudo apt-get install -y docker-ce docker-ce-cli containerd.io docker-buildx-plugin docker-compose-plugin
sudo docker version
