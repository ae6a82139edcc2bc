# kubectl from the Kubernetes project's download site, checked against its published checksum.
source versions.env
curl -fsSLO "https://dl.k8s.io/release/${KUBERNETES_VERSION}/bin/linux/amd64/kubectl"
curl -fsSL "https://dl.k8s.io/release/${KUBERNETES_VERSION}/bin/linux/amd64/kubectl.sha256" \
  | sed 's/$/  kubectl/' | sha256sum --check
sudo install -m 0755 kubectl /usr/local/bin/kubectl
