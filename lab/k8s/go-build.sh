# The kind node's programs, built from the Go module proxy with the lab's one Go builder,
# go_component (lab/go.sh): each lands in $LAB_STATE/bin/<name>-<version>/, once per version.
# containerd and runc are the engine's builds too (build_containerd, build_runc in lab/go.sh).
# Sourced by lab/node-image.sh.

# Kubernetes' commands, stamped with their version as Kubernetes' release build does
# (hack/lib/version.sh) and linked as it links them (hack/lib/golang.sh: KUBE_STATIC_BINARIES):
# all static with CGO_ENABLED=0 but the kubelet, which is built with cgo. Kubernetes takes its
# staging modules (k8s.io/api, k8s.io/client-go, ...) from its own tree, so it is built from a
# wrapper module that pins them to their published v0.<minor>.<patch>.
KUBERNETES_COMMANDS=(kubeadm kubectl kube-apiserver kube-controller-manager kube-scheduler kube-proxy)

#   kubernetes_go_component NAME CGO PACKAGES
kubernetes_go_component() {
  local name=$1 cgo=$2 packages=$3
  # Built already: no need to ask the module proxy for the build date below.
  [ -f "$LAB_STATE/bin/$name-$KUBERNETES_VERSION/.done" ] && return
  local minor_patch=${KUBERNETES_VERSION#v1.} key ldflags=''
  declare -A stamp=(
    [gitVersion]=$KUBERNETES_VERSION [gitMajor]=1 [gitMinor]=${minor_patch%%.*} [gitTreeState]=clean
    [buildDate]=$(go_module_time k8s.io/kubernetes "$KUBERNETES_VERSION")
  )
  for key in "${!stamp[@]}"; do
    ldflags+=" -X k8s.io/component-base/version.$key=${stamp[$key]}"
    ldflags+=" -X k8s.io/client-go/pkg/version.$key=${stamp[$key]}"
  done
  go_component "$name" "$KUBERNETES_VERSION" module="k8s.io/kubernetes@$KUBERNETES_VERSION" how=wrapper \
    staged="v0.$minor_patch" tags=selinux,notest,grpcnotrace cgo="$cgo" ldflags="$ldflags" packages="$packages"
}

build_kubernetes() { kubernetes_go_component kubernetes 0 "${KUBERNETES_COMMANDS[*]/#/k8s.io/kubernetes/cmd/}"; }
build_kubelet() { kubernetes_go_component kubelet 1 k8s.io/kubernetes/cmd/kubelet; }

# etcd, etcdctl and etcdutl, from a wrapper module requiring etcd's root module, which pins the
# three at the same version (their own modules take sibling modules from etcd's tree by replace
# directives).
build_etcd() {
  go_component etcd "$ETCD_VERSION" module="go.etcd.io/etcd/v3@$ETCD_VERSION" how=wrapper \
    packages='go.etcd.io/etcd/server/v3 go.etcd.io/etcd/etcdctl/v3 go.etcd.io/etcd/etcdutl/v3' \
    out='etcd etcdctl etcdutl'
}

build_coredns() {
  go_component coredns "$COREDNS_VERSION" module="github.com/coredns/coredns@$COREDNS_VERSION" \
    packages=github.com/coredns/coredns
}

# The pod network: the CNI reference plugins that the node's CNI configuration chains
# (lab/k8s/pod-network.conflist.tmpl), stamped as their build_linux.sh does.
CNI_PLUGINS=(main/bridge ipam/host-local main/loopback meta/portmap)
build_cni_plugins() {
  go_component cni-plugins "$CNI_PLUGINS_VERSION" \
    module="github.com/containernetworking/plugins@$CNI_PLUGINS_VERSION" \
    packages="${CNI_PLUGINS[*]/#/github.com/containernetworking/plugins/plugins/}" \
    ldflags="-X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=$CNI_PLUGINS_VERSION"
}

build_local_path_provisioner() {
  go_component local-path-provisioner "$LOCAL_PATH_PROVISIONER_VERSION" \
    module="github.com/rancher/local-path-provisioner@$LOCAL_PATH_PROVISIONER_VERSION" \
    packages=github.com/rancher/local-path-provisioner ldflags="-X main.VERSION=$LOCAL_PATH_PROVISIONER_VERSION"
}

build_metrics_server() {
  go_component metrics-server "$METRICS_SERVER_VERSION" module="sigs.k8s.io/metrics-server@$METRICS_SERVER_VERSION" \
    packages=sigs.k8s.io/metrics-server/cmd/metrics-server \
    ldflags="-X k8s.io/client-go/pkg/version.gitVersion=$METRICS_SERVER_VERSION"
}

# Traefik, the lab's Ingress and Gateway API controller: pure Go (ingress-nginx needs OpenResty's
# C build, Contour and Envoy Gateway need Envoy's), and one program serves both APIs.
# Stamped as its release build stamps it (.goreleaser.yml.tmpl: the version without its v, and the
# codename its release workflow sets).
build_traefik() {
  [ -f "$LAB_STATE/bin/traefik-$TRAEFIK_VERSION/.done" ] && return
  local dir codename
  dir=$(go_module_dir github.com/traefik/traefik/v3 "$TRAEFIK_VERSION")
  codename=$(sed -n 's/^ *CODENAME: *//p' "$dir/.github/workflows/release.yaml")
  go_component traefik "$TRAEFIK_VERSION" module="github.com/traefik/traefik/v3@$TRAEFIK_VERSION" \
    packages=./cmd/traefik \
    ldflags="-X github.com/traefik/traefik/v3/pkg/version.Version=${TRAEFIK_VERSION#v}
             -X github.com/traefik/traefik/v3/pkg/version.Codename=$codename
             -X github.com/traefik/traefik/v3/pkg/version.BuildDate=$(go_module_time github.com/traefik/traefik/v3 "$TRAEFIK_VERSION")"
}

build_crictl() {
  go_component crictl "$CRICTL_VERSION" module="sigs.k8s.io/cri-tools@$CRICTL_VERSION" \
    packages=sigs.k8s.io/cri-tools/cmd/crictl ldflags="-X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION"
}

build_kind() {
  go_component kind "$KIND_VERSION" module="sigs.k8s.io/kind@$KIND_VERSION" packages=sigs.k8s.io/kind
}

# The pause container is C (build/pause in the Kubernetes tree): compiled static as its Makefile does.
build_pause() {
  local out=$LAB_STATE/bin/pause-$PAUSE_VERSION src
  if [ -f "$out/.done" ]; then return; fi
  src=$(go_module_dir k8s.io/kubernetes "$KUBERNETES_VERSION")/build/pause/linux/pause.c
  mkdir -p "$out"
  gcc -Os -Wall -Werror -static -DVERSION="v$PAUSE_VERSION" -o "$out/pause" "$src"
  touch "$out/.done"
}

LAB_GO_BUILDS=(kubernetes kubelet etcd coredns containerd runc cni_plugins local_path_provisioner metrics_server traefik
  crictl kind pause)

# Builds everything above in order, printing how long each took (a cached one takes 0 s).
build_all_binaries() {
  local name t0
  for name in "${LAB_GO_BUILDS[@]}"; do
    t0=$SECONDS
    "build_$name"
    log "build $name: $((SECONDS - t0)) s"
  done
}
