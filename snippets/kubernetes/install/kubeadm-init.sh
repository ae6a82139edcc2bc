# On the first control-plane machine.
source versions.env
sudo kubeadm config images pull --kubernetes-version "$KUBERNETES_VERSION" \
  --image-repository registry.aliyuncs.com/google_containers
sudo kubeadm init --kubernetes-version "$KUBERNETES_VERSION" \
  --image-repository registry.aliyuncs.com/google_containers \
  --pod-network-cidr 10.244.0.0/16
# kubectl for your own user.
mkdir -p "$HOME/.kube"
sudo cp /etc/kubernetes/admin.conf "$HOME/.kube/config"
sudo chown "$(id -u):$(id -g)" "$HOME/.kube/config"
