# After writing "userns-remap" into /etc/docker/daemon.json: restart the daemon, then check.
sudo systemctl restart docker
# "default" made the user dockremap and gave it a range of subordinate IDs
grep dockremap /etc/subuid
# Root in the container is now the first ID of that range on the host
docker run --rm debian:12 cat /proc/self/uid_map
