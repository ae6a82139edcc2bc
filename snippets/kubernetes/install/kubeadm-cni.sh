# A network plugin (CNI): Flannel, whose default pod network is the 10.244.0.0/16 given to kubeadm.
# Its manifest and images come from GitHub and ghcr.io: use a mirror if those are out of reach.
kubectl apply -f https://github.com/flannel-io/flannel/releases/latest/download/kube-flannel.yml
