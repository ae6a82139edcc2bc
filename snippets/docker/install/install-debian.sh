#!/usr/bin/env bash
# Install Docker from Debian's own package (docker.io) in a fresh Debian 12 container, as root, and
# check that it works. Not for a real machine: there systemd starts dockerd as soon as it is installed.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes

echo "== Install docker.io from the Debian archive"
apt-get update -qq
# --no-install-recommends keeps this check short; on a real machine, take the recommended packages too
apt-get install -y -qq --no-install-recommends docker.io > /dev/null
dpkg-query -W docker.io containerd runc

echo "== Start the daemon and wait until it answers"
dockerd > /var/log/dockerd.log 2>&1 &
timeout 60 bash -c 'until docker info > /dev/null 2>&1; do sleep 0.5; done'
docker version --format 'client {{.Client.Version}}, server {{.Server.Version}}'
docker info --format 'storage driver: {{.Driver}}'

echo "== Let a normal user use Docker without sudo (the docker group)"
useradd --create-home alice
usermod -aG docker alice
su - alice -c "docker info --format 'alice talks to the daemon: {{.Containers}} containers'"

echo "== Run a first container"
# No registry is reachable here, so instead of `docker run hello-world` we make a tiny image
# from the busybox binary of Debian's busybox-static package.
apt-get install -y -qq busybox-static > /dev/null
mkdir -p /rootfs/bin
cp /bin/busybox /rootfs/bin/busybox
tar -C /rootfs -c . | docker import --change 'ENTRYPOINT ["/bin/busybox"]' - busybox:local
docker run --rm busybox:local echo "Hello from a container"
