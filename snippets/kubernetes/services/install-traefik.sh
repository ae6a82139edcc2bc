#!/bin/bash
# Traefik from its Helm chart, with the values above. The chart also installs the standard
# Gateway API CRDs of the version this Traefik requires, if the cluster has none yet.
set -euo pipefail
source versions.env
helm repo add traefik https://traefik.github.io/charts
helm repo update traefik
# The chart's own Traefik is v3.6.15; image.tag gives the same v3.6 patch as this site's lab.
helm install traefik traefik/traefik --version "$TRAEFIK_CHART_VERSION" \
  --namespace traefik --create-namespace --values traefik-values.yaml \
  --set image.tag="$TRAEFIK_VERSION"
kubectl -n traefik rollout status deployment/traefik --timeout=180s
