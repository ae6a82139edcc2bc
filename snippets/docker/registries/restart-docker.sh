# After editing /etc/docker/daemon.json: restart the daemon and check that it took the mirror
sudo systemctl restart docker
docker info | grep -A1 'Registry Mirrors'
