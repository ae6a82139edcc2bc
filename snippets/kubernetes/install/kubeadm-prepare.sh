# On every machine of the cluster.
# Kernel modules and settings that pod networking needs.
cat <<'CONF' | sudo tee /etc/modules-load.d/k8s.conf
overlay
br_netfilter
CONF
sudo modprobe overlay
sudo modprobe br_netfilter
cat <<'CONF' | sudo tee /etc/sysctl.d/k8s.conf
net.bridge.bridge-nf-call-iptables  = 1
net.bridge.bridge-nf-call-ip6tables = 1
net.ipv4.ip_forward                 = 1
CONF
sudo sysctl --system
# By default the kubelet refuses to start while swap is on.
sudo swapoff -a
sudo sed -i '/\sswap\s/ s/^/#/' /etc/fstab
