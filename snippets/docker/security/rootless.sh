# Rootless mode for the user running this script (not root), with Docker's own packages (docker-ce).
sudo apt-get install -y uidmap docker-ce-rootless-extras
# The user needs subordinate IDs: useradd gives new users 65536 of them
grep "^$(whoami):" /etc/subuid /etc/subgid
# The system-wide daemon is not needed any more
sudo systemctl disable --now docker.service docker.socket
# Installs a per-user systemd service and a CLI context named "rootless", and switches to it
dockerd-rootless-setuptool.sh install
# "rootless" among the security options: this daemon runs as you
docker info --format '{{.SecurityOptions}}'
