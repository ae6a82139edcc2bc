# On every machine: kubeadm, kubelet and kubectl from the Kubernetes package repository of one
# minor version (pkgs.k8s.io), here through Aliyun's mirror of it.
source versions.env
minor=${KUBERNETES_VERSION%.*}   # v1.37
repo=https://mirrors.aliyun.com/kubernetes-new/core/stable/${minor}/deb/
# Official address: https://pkgs.k8s.io/core:/stable:/${minor}/deb/
sudo apt-get update
sudo apt-get install -y apt-transport-https ca-certificates curl gpg
sudo mkdir -p -m 755 /etc/apt/keyrings
curl -fsSL "${repo}Release.key" | sudo gpg --dearmor -o /etc/apt/keyrings/kubernetes-apt-keyring.gpg
echo "deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] ${repo} /" \
  | sudo tee /etc/apt/sources.list.d/kubernetes.list
sudo apt-get update
sudo apt-get install -y kubelet kubeadm kubectl
# Upgrade these three on purpose, never by accident.
sudo apt-mark hold kubelet kubeadm kubectl
# Start the kubelet now and at boot; it restarts every few seconds until kubeadm init or join configures it.
sudo systemctl enable --now kubelet
