# On the control-plane machine: print a fresh join command (tokens expire after 24 h).
kubeadm token create --print-join-command
# On each worker machine: run what it printed, as root, for example:
#   sudo kubeadm join 192.168.1.10:6443 --token <token> --discovery-token-ca-cert-hash sha256:<hash>
