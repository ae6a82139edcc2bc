kind create cluster --config kind-config.yaml
