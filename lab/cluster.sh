# Part "cluster": a kind cluster named "kind" (the pages use its node name, kind-control-plane),
# created from the node image of the node-image part with the kind config readers see
# (snippets/kubernetes/install/kind-config.yaml), its kubeconfig kept apart from the user's in
# $KUBECONFIG_LAB. A healthy cluster on the same node image is reused; `down` deletes it only in
# CI (CI=true), unless LAB_KEEP=1.
# A cluster named "kind" may be the user's own: the lab records its control-plane container's ID
# when it creates the cluster, and never reuses or deletes one whose ID is not the recorded one.
# Offline, workload images come through a registry mirror, as readers in China pull them: each
# node gets /etc/containerd/certs.d/docker.io/hosts.toml pointing at the lab's registry container
# (lab-registry, from the images part), which joins the `kind` network.
# kind and kubectl are linked into $LAB_STATE/path for the tests and pages.

CLUSTER_NAME=kind
CLUSTER_CONFIG=$REPO_DIR/snippets/kubernetes/install/kind-config.yaml
CLUSTER_REGISTRY=lab-registry
CLUSTER_REGISTRY_PORT=5000
CLUSTER_ID_FILE=$LAB_STATE/cluster-id
# The kind config the cluster was created with: a changed config (port mappings, say) needs a new cluster.
CLUSTER_CONFIG_HASH_FILE=$LAB_STATE/cluster-config.sha256

cluster_up() {
  local image
  image=$(cat "$LAB_STATE/node-image" 2>/dev/null) || die "no node image yet: run 'lab/lab up node-image' first"
  cluster_tools
  if cluster_exists && ! cluster_is_ours; then
    die "a kind cluster named '$CLUSTER_NAME' exists that this lab did not create (or that an older
  lab/lab created without recording it in $CLUSTER_ID_FILE): the lab neither uses nor deletes it.
  If you no longer need it, delete it yourself:  kind delete cluster --name $CLUSTER_NAME
  then run lab/lab up again."
  fi
  if cluster_reusable "$image"; then
    log "cluster: reusing '$CLUSTER_NAME' (node image $image)"
  else
    if cluster_exists; then
      log "cluster: deleting '$CLUSTER_NAME' (other node image, or unhealthy)"
      cluster_delete
    fi
    step "cluster: kind create cluster" kind create cluster --name "$CLUSTER_NAME" --image "$image" \
      --config "$CLUSTER_CONFIG" --kubeconfig "$KUBECONFIG_LAB"
    cluster_control_plane_id > "$CLUSTER_ID_FILE"
    sha256sum < "$CLUSTER_CONFIG" > "$CLUSTER_CONFIG_HASH_FILE"
    # The node image the replaced cluster ran on can go now (lab/node-image.sh).
    node_remove_older_images "$image"
  fi
  cluster_registry_mirror
  step "cluster: metrics-server" cluster_metrics_server
  step "cluster: traefik" cluster_traefik
  step "cluster: ready" cluster_wait_ready
}

# metrics-server, which kind does not ship (`kubectl top`, the HorizontalPodAutoscaler): its own
# release manifests, built with kubectl's kustomize from its Go module, plus the flag its README
# gives for kind, whose kubelets serve self-signed certificates. The image is in the node image.
# Applied under the field manager "lab": the tests count what kubectl's own managers create as the
# pages' doing.
cluster_metrics_server() {
  local dir tmp
  dir=$(go_module_dir sigs.k8s.io/metrics-server "$METRICS_SERVER_VERSION")
  tmp=$(mktemp -d)
  cp -r "$dir/manifests" "$tmp/" && chmod -R u+w "$tmp"
  cat > "$tmp/kustomization.yaml" <<'EOF'
resources:
  - manifests/overlays/release
patches:
  - target: {kind: Deployment, name: metrics-server}
    patch: |-
      - op: add
        path: /spec/template/spec/containers/0/args/-
        value: --kubelet-insecure-tls
EOF
  kubectl --kubeconfig "$KUBECONFIG_LAB" apply --server-side --field-manager=lab -k "$tmp" >/dev/null
  rm -rf "$tmp"
}

# Traefik, the Ingress and Gateway API controller (lab/traefik.yaml), after the standard Gateway API
# CRDs of the version Traefik requires (its go.mod), from that module's own kustomization. The
# image is in the node image. Under the field manager "lab", as metrics-server.
cluster_traefik() {
  local k=(kubectl --kubeconfig "$KUBECONFIG_LAB") traefik gateway_api
  traefik=$(go_module_dir github.com/traefik/traefik/v3 "$TRAEFIK_VERSION")
  gateway_api=$(sed -n 's#^\tsigs.k8s.io/gateway-api \(v[^ ]*\)$#\1#p' "$traefik/go.mod")
  "${k[@]}" apply --server-side --field-manager=lab -k "$(go_module_dir sigs.k8s.io/gateway-api "$gateway_api")/config/crd" >/dev/null
  "${k[@]}" wait --for=condition=Established --timeout=60s \
    crd/gatewayclasses.gateway.networking.k8s.io crd/gateways.gateway.networking.k8s.io crd/httproutes.gateway.networking.k8s.io >/dev/null
  sed "s#TRAEFIK_IMAGE#docker.io/library/traefik:$TRAEFIK_VERSION#" "$LAB_DIR/traefik.yaml" |
    "${k[@]}" apply --server-side --field-manager=lab -f - >/dev/null
}

cluster_down() {
  cluster_tools
  if ! cluster_exists; then
    return 0
  elif ! cluster_is_ours; then
    log "cluster: '$CLUSTER_NAME' was not created by the lab: left alone"
  elif [ "${CI:-}" = true ] && [ "${LAB_KEEP:-}" != 1 ]; then
    cluster_delete
  else
    log "cluster: kept for the next run (delete it with: kind delete cluster --name $CLUSTER_NAME)"
  fi
}

cluster_exists() { kind get clusters 2>/dev/null | grep -qx "$CLUSTER_NAME"; }

cluster_control_plane_id() { docker inspect -f '{{.Id}}' "$CLUSTER_NAME-control-plane" 2>/dev/null; }

# Ours: its control plane is the container recorded when the lab created the cluster.
cluster_is_ours() {
  local id
  id=$(cluster_control_plane_id) && [ "$id" = "$(cat "$CLUSTER_ID_FILE" 2>/dev/null)" ]
}

cluster_delete() {
  kind delete cluster --name "$CLUSTER_NAME" --kubeconfig "$KUBECONFIG_LAB"
  rm -f "$CLUSTER_ID_FILE"
}

# kind and kubectl from the node-image part's builds, first on the PATH of the rest of the lab.
cluster_tools() {
  mkdir -p "$LAB_STATE/path"
  ln -sf "$LAB_STATE/bin/kind-$KIND_VERSION/kind" "$LAB_STATE/path/kind"
  ln -sf "$LAB_STATE/bin/kubernetes-$KUBERNETES_VERSION/kubectl" "$LAB_STATE/path/kubectl"
  export PATH=$LAB_PATH:$PATH
}

cluster_reusable() {
  local image=$1
  [ "$(docker inspect -f '{{.Config.Image}}' "$CLUSTER_NAME-control-plane" 2>/dev/null)" = "$image" ] &&
    [ "$(sha256sum < "$CLUSTER_CONFIG")" = "$(cat "$CLUSTER_CONFIG_HASH_FILE" 2>/dev/null)" ] &&
    [ "$(docker inspect -f '{{.State.Running}}' "$CLUSTER_NAME-control-plane")" = true ] &&
    kubectl --kubeconfig "$KUBECONFIG_LAB" get --raw /readyz >/dev/null 2>&1
}

cluster_registry_mirror() {
  docker inspect "$CLUSTER_REGISTRY" >/dev/null 2>&1 ||
    die "no '$CLUSTER_REGISTRY' container: run 'lab/lab up images' first"
  if ! docker network inspect kind -f '{{range .Containers}}{{.Name}} {{end}}' | grep -qw "$CLUSTER_REGISTRY"; then
    docker network connect kind "$CLUSTER_REGISTRY"
  fi
  local node
  for node in $(kind get nodes --name "$CLUSTER_NAME"); do
    # containerd reads hosts.toml at every pull: no restart needed.
    docker exec -i "$node" sh -c 'mkdir -p /etc/containerd/certs.d/docker.io &&
      cat > /etc/containerd/certs.d/docker.io/hosts.toml' <<EOF
server = "https://registry-1.docker.io"

[host."http://$CLUSTER_REGISTRY:$CLUSTER_REGISTRY_PORT"]
  capabilities = ["pull", "resolve"]
EOF
  done
  log "cluster: docker.io pulls go through http://$CLUSTER_REGISTRY:$CLUSTER_REGISTRY_PORT"
}

# Ready means: every node Ready (which needs the pod network's CNI configuration, written by each
# node's containerd: lab/k8s/pod-network.conflist.tmpl) and every kube-system workload rolled out.
cluster_wait_ready() {
  local k=(kubectl --kubeconfig "$KUBECONFIG_LAB")
  "${k[@]}" wait --for=condition=Ready nodes --all --timeout=180s
  "${k[@]}" -n kube-system rollout status deployment/coredns --timeout=180s
  "${k[@]}" -n kube-system rollout status daemonset/kube-proxy --timeout=180s
  "${k[@]}" -n local-path-storage rollout status deployment/local-path-provisioner --timeout=180s
  "${k[@]}" -n kube-system rollout status deployment/metrics-server --timeout=180s
  "${k[@]}" wait --for=condition=Available apiservice/v1beta1.metrics.k8s.io --timeout=180s
  "${k[@]}" -n traefik rollout status deployment/traefik --timeout=180s
}
