kubectl get nodes -o wide
kubectl get pods -n kube-system
