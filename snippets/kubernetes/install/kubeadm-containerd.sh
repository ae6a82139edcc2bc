# On every machine: containerd as the container runtime.
sudo apt-get update
sudo apt-get install -y containerd
sudo mkdir -p /etc/containerd
containerd config default | sudo tee /etc/containerd/config.toml >/dev/null
# The kubelet uses the systemd cgroup driver; containerd must use the same one.
sudo sed -i 's/SystemdCgroup = false/SystemdCgroup = true/' /etc/containerd/config.toml
# Every pod starts with a "pause" container: take its image from the mirror too.
sudo sed -i 's#registry.k8s.io/pause#registry.aliyuncs.com/google_containers/pause#' \
  /etc/containerd/config.toml
sudo systemctl restart containerd
