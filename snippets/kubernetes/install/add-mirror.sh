# Copy hosts.toml into every node of the cluster named "kind"; containerd reads it at each pull.
for node in $(kind get nodes --name kind); do
  docker exec "$node" mkdir -p /etc/containerd/certs.d/docker.io
  docker cp hosts.toml "$node:/etc/containerd/certs.d/docker.io/hosts.toml"
done
