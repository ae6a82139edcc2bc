# Start the daemon now and at every boot (Debian's docker.io package already does both)
sudo systemctl enable --now docker

# Use docker without sudo: join the docker group, then log out and back in for it to apply
sudo usermod -aG docker "$USER"
