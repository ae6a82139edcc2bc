#!/bin/bash
# metrics-server's own release manifests, as its README gives them.
set -euo pipefail
kubectl apply -f https://github.com/kubernetes-sigs/metrics-server/releases/latest/download/components.yaml
# kind's kubelets serve self-signed certificates: let metrics-server accept them (for kind only).
kubectl -n kube-system patch deployment metrics-server --type=json \
  -p '[{"op": "add", "path": "/spec/template/spec/containers/0/args/-", "value": "--kubelet-insecure-tls"}]'
kubectl -n kube-system rollout status deployment/metrics-server --timeout=180s
