# On every machine: containerd 2.x, runc and the CNI reference plugins, as their projects release them.
source versions.env
arch=amd64
containerd=containerd-${CONTAINERD_VERSION#v}-linux-$arch.tar.gz
curl -fsSLO "https://github.com/containerd/containerd/releases/download/$CONTAINERD_VERSION/$containerd"
curl -fsSL "https://github.com/containerd/containerd/releases/download/$CONTAINERD_VERSION/$containerd.sha256sum" \
  | sha256sum --check
sudo tar -C /usr/local -xzf "$containerd"
sudo curl -fsSL -o /etc/systemd/system/containerd.service \
  "https://raw.githubusercontent.com/containerd/containerd/$CONTAINERD_VERSION/containerd.service"

curl -fsSLO "https://github.com/opencontainers/runc/releases/download/$RUNC_VERSION/runc.$arch"
curl -fsSL "https://github.com/opencontainers/runc/releases/download/$RUNC_VERSION/runc.sha256sum" \
  | sha256sum --check --ignore-missing
sudo install -m 0755 "runc.$arch" /usr/local/sbin/runc

cni=cni-plugins-linux-$arch-$CNI_PLUGINS_VERSION.tgz
curl -fsSLO "https://github.com/containernetworking/plugins/releases/download/$CNI_PLUGINS_VERSION/$cni"
curl -fsSL "https://github.com/containernetworking/plugins/releases/download/$CNI_PLUGINS_VERSION/$cni.sha256" \
  | sha256sum --check
sudo mkdir -p /opt/cni/bin
sudo tar -C /opt/cni/bin -xzf "$cni"

sudo mkdir -p /etc/containerd
containerd config default | sudo tee /etc/containerd/config.toml >/dev/null
# The kubelet uses the systemd cgroup driver; containerd must use the same one.
sudo sed -i 's/SystemdCgroup = false/SystemdCgroup = true/' /etc/containerd/config.toml
# Every pod starts with a "pause" container: the version kubeadm expects, from the mirror.
sudo sed -i "s#registry.k8s.io/pause:[0-9.]*#registry.aliyuncs.com/google_containers/pause:$PAUSE_VERSION#" \
  /etc/containerd/config.toml
sudo systemctl daemon-reload
sudo systemctl enable --now containerd
