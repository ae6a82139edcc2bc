# Builds the lab's Kubernetes binaries from the Go module proxy. Sourced by lab/node-image.sh.
# Built binaries are kept in $LAB_STATE/bin/<name>-<version>/ so an unchanged version is not rebuilt;
# Go's own caches (GOCACHE, GOMODCACHE) stay at their defaults so every clone shares them.

# Writes a module in $1 that depends on module $2 at version $3. Modules that $2 requires at
# v0.0.0 and takes from its own tree by a local replace (Kubernetes' staging modules) are pinned to
# their published version $4: replace directives of a dependency do not apply to its dependents.
go_wrapper_module() {
  local dir=$1 module=$2 version=$3 staged_version=${4:-} gomod dep
  rm -rf "$dir" && mkdir -p "$dir"
  gomod=$(go mod download -json "$module@$version" >/dev/null && go list -m -f '{{.GoMod}}' "$module@$version")
  (
    cd "$dir" || exit 1
    go mod init lab.local/build >/dev/null 2>&1
    go mod edit -require "$module@$version"
    # Keep the language version and GODEBUG defaults the upstream module is built with.
    go mod edit -go "$(sed -n 's/^go //p' "$gomod")"
    if grep -q '^godebug ' "$gomod"; then
      go mod edit -godebug "$(sed -n 's/^godebug //p' "$gomod")"
    fi
    if [ -n "$staged_version" ]; then
      sed -n 's#^\t\([^ ]*\) => \./.*#\1#p' "$gomod" | while read -r dep; do
        if grep -qxF $'\t'"$dep v0.0.0" "$gomod"; then
          go mod edit -replace "$dep=$dep@$staged_version"
        fi
      done
    fi
  )
}

# Builds Go packages into $out with Go's usual release flags: trimmed paths, no symbol tables.
#   go_build_into DIR OUT LDFLAGS TAGS PACKAGE...   (run with CGO_ENABLED set by the caller)
go_build_into() {
  local dir=$1 out=$2 ldflags=$3 tags=$4; shift 4
  mkdir -p "$out"
  (cd "$dir" && go build -trimpath -tags "$tags" -ldflags "$ldflags -s -w" -o "$out/" "$@")
}

# The listed packages become the module's tools, so `go mod tidy` resolves what they import.
go_wrapper_tidy() {
  local dir=$1 pkg; shift
  (cd "$dir" && for pkg in "$@"; do go mod edit -tool "$pkg"; done && go mod tidy)
}

KUBERNETES_COMMANDS=(kubeadm kubelet kubectl kube-apiserver kube-controller-manager kube-scheduler kube-proxy)

# Kubernetes' commands (all seven, or those named), stamped with their version as Kubernetes'
# release build does (hack/lib/version.sh) and linked as it links them (hack/lib/golang.sh):
# kubelet with cgo, everything else static with CGO_ENABLED=0.
build_kubernetes() {
  local out=$LAB_STATE/bin/kubernetes-$KUBERNETES_VERSION dir=$LAB_STATE/go/kubernetes cmd
  local wanted=("${@:-${KUBERNETES_COMMANDS[@]}}") static=() cgo=()
  for cmd in "${wanted[@]}"; do
    if [ -x "$out/$cmd" ]; then continue; fi
    if [ "$cmd" = kubelet ]; then cgo+=("k8s.io/kubernetes/cmd/$cmd"); else static+=("k8s.io/kubernetes/cmd/$cmd"); fi
  done
  if [ $((${#static[@]} + ${#cgo[@]})) -eq 0 ]; then return; fi
  local minor_patch=${KUBERNETES_VERSION#v1.} key ldflags=""
  go_wrapper_module "$dir" k8s.io/kubernetes "$KUBERNETES_VERSION" "v0.$minor_patch"
  go_wrapper_tidy "$dir" "${KUBERNETES_COMMANDS[@]/#/k8s.io/kubernetes/cmd/}"
  declare -A stamp=(
    [gitVersion]=$KUBERNETES_VERSION [gitMajor]=1 [gitMinor]=${minor_patch%%.*} [gitTreeState]=clean
    [buildDate]=$(go_module_time k8s.io/kubernetes "$KUBERNETES_VERSION")
  )
  for key in "${!stamp[@]}"; do
    ldflags+=" -X k8s.io/component-base/version.$key=${stamp[$key]}"
    ldflags+=" -X k8s.io/client-go/pkg/version.$key=${stamp[$key]}"
  done
  # Built into a scratch folder first, so that an interrupted build leaves no half-written binary.
  local tags=selinux,notest,grpcnotrace
  rm -rf "$out.tmp"
  if [ ${#static[@]} -gt 0 ]; then CGO_ENABLED=0 go_build_into "$dir" "$out.tmp" "$ldflags" "$tags" "${static[@]}"; fi
  if [ ${#cgo[@]} -gt 0 ]; then CGO_ENABLED=1 go_build_into "$dir" "$out.tmp" "$ldflags" "$tags" "${cgo[@]}"; fi
  mkdir -p "$out" && mv "$out.tmp"/* "$out/" && rmdir "$out.tmp"
}

# The folder of a module version in the module cache, downloaded if needed.
go_module_dir() {
  go mod download "$1@$2" && go list -m -f '{{.Dir}}' "$1@$2"
}

# The publication time of a module version, used as the build date so that rebuilding the same
# version gives the same binaries.
go_module_time() {
  go list -m -f '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' "$1@$2"
}

# Commands whose module has no replace directives: a plain `go install` at an exact version.
#   go_install_into OUT LDFLAGS PACKAGE@VERSION...   (CGO_ENABLED set by the caller)
go_install_into() {
  local out=$1 ldflags=$2; shift 2
  mkdir -p "$out"
  GOBIN=$out go install -trimpath -ldflags "$ldflags -s -w" "$@"
}

# etcd, etcdctl and etcdutl: their modules take sibling modules from the etcd tree by replace
# directives, which `go install` refuses, so they are built from a wrapper module too.
build_etcd() {
  local out=$LAB_STATE/bin/etcd-$ETCD_VERSION dir=$LAB_STATE/go/etcd cmd
  if [ -f "$out/.done" ]; then return; fi
  go_wrapper_module "$dir" go.etcd.io/etcd/server/v3 "$ETCD_VERSION"
  (cd "$dir" && go mod edit -require "go.etcd.io/etcd/etcdctl/v3@$ETCD_VERSION" \
    -require "go.etcd.io/etcd/etcdutl/v3@$ETCD_VERSION")
  go_wrapper_tidy "$dir" go.etcd.io/etcd/server/v3 go.etcd.io/etcd/etcdctl/v3 go.etcd.io/etcd/etcdutl/v3
  # Every package path ends in /v3, so each command is named explicitly.
  for cmd in etcd:server etcdctl:etcdctl etcdutl:etcdutl; do
    (cd "$dir" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$out/${cmd%%:*}" \
      "go.etcd.io/etcd/${cmd#*:}/v3")
  done
  touch "$out/.done"
}

# CoreDNS, kube-router, local-path-provisioner, crictl and kind: plain `go install`.
build_coredns() {
  local out=$LAB_STATE/bin/coredns-$COREDNS_VERSION
  if [ -f "$out/.done" ]; then return; fi
  CGO_ENABLED=0 go_install_into "$out" "" "github.com/coredns/coredns@$COREDNS_VERSION"
  touch "$out/.done"
}

# kube-router, the node image's pod network (routes, and network policies), built as its Makefile does.
build_kube_router() {
  local out=$LAB_STATE/bin/kube-router-$KUBE_ROUTER_VERSION version=github.com/cloudnativelabs/kube-router/v2/pkg/version
  if [ -f "$out/.done" ]; then return; fi
  CGO_ENABLED=0 go_install_into "$out" \
    "-X $version.Version=$KUBE_ROUTER_VERSION -X $version.BuildDate=$(go_module_time github.com/cloudnativelabs/kube-router/v2 "$KUBE_ROUTER_VERSION")" \
    "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router@$KUBE_ROUTER_VERSION"
  touch "$out/.done"
}

build_local_path_provisioner() {
  local out=$LAB_STATE/bin/local-path-provisioner-$LOCAL_PATH_PROVISIONER_VERSION
  if [ -f "$out/.done" ]; then return; fi
  CGO_ENABLED=0 go_install_into "$out" "-X main.VERSION=$LOCAL_PATH_PROVISIONER_VERSION" \
    "github.com/rancher/local-path-provisioner@$LOCAL_PATH_PROVISIONER_VERSION"
  touch "$out/.done"
}

build_crictl() {
  local out=$LAB_STATE/bin/crictl-$CRICTL_VERSION
  if [ -f "$out/.done" ]; then return; fi
  CGO_ENABLED=0 go_install_into "$out" "-X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION" \
    "sigs.k8s.io/cri-tools/cmd/crictl@$CRICTL_VERSION"
  touch "$out/.done"
}

build_kind() {
  local out=$LAB_STATE/bin/kind-$KIND_VERSION
  if [ -f "$out/.done" ]; then return; fi
  CGO_ENABLED=0 go_install_into "$out" "" "sigs.k8s.io/kind@$KIND_VERSION"
  touch "$out/.done"
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

LAB_GO_BUILDS=(kubernetes etcd coredns kube_router local_path_provisioner crictl kind pause)

# Builds everything above in order, printing how long each took (a cached one takes 0 s).
build_all_binaries() {
  local name t0
  for name in "${LAB_GO_BUILDS[@]}"; do
    t0=$SECONDS
    "build_$name"
    printf '[lab %s] build %s: %d s\n' "$(date +%T)" "$name" "$((SECONDS - t0))" >&2
  done
}
