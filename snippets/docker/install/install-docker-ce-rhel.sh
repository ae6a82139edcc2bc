# Docker's own dnf repository, on RHEL 8 and later (on CentOS Stream, write
# "centos" instead of "rhel" in the URL). In China, use a mirror of the repository instead,
# e.g. DOCKER_CE=https://mirrors.ustc.edu.cn/docker-ce
DOCKER_CE=https://download.docker.com

# Podman, runc and older docker packages conflict with Docker's: remove them first
sudo dnf remove -y docker docker-client docker-client-latest docker-common docker-latest \
  docker-latest-logrotate docker-logrotate docker-engine podman runc

sudo dnf -y install dnf-plugins-core
sudo dnf config-manager --add-repo "$DOCKER_CE/linux/rhel/docker-ce.repo"
# The .repo file names download.docker.com itself: point it at the same place
sudo sed -i "s|https://download.docker.com|$DOCKER_CE|g" /etc/yum.repos.d/docker-ce.repo
sudo dnf install -y docker-ce docker-ce-cli containerd.io docker-buildx-plugin docker-compose-plugin
# Unlike Debian's package, docker-ce does not start the daemon by itself
sudo systemctl enable --now docker
sudo docker version
