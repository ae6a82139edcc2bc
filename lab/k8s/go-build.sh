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
    cd "$dir"
    go mod init lab.local/build >/dev/null 2>&1
    go mod edit -require "$module@$version"
    # Keep the language version and GODEBUG defaults the upstream module is built with.
    go mod edit -go "$(sed -n 's/^go //p' "$gomod")"
    if grep -q '^godebug ' "$gomod"; then
      go mod edit -godebug "$(sed -n 's/^godebug //p' "$gomod")"
    fi
    if [ -n "$staged_version" ]; then
      for dep in $(sed -n 's#^\t\([^ ]*\) => \./.*#\1#p' "$gomod"); do
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

# Kubernetes' seven commands, stamped with their version as Kubernetes' release build does
# (hack/lib/version.sh) and linked as it links them (hack/lib/golang.sh): kubelet with cgo,
# everything else static with CGO_ENABLED=0.
build_kubernetes() {
  local out=$LAB_STATE/bin/kubernetes-$KUBERNETES_VERSION dir=$LAB_STATE/go/kubernetes
  if [ -f "$out/.done" ]; then return; fi
  local minor_patch=${KUBERNETES_VERSION#v1.} major minor key ldflags=""
  major=1 minor=${minor_patch%%.*}
  go_wrapper_module "$dir" k8s.io/kubernetes "$KUBERNETES_VERSION" "v0.$minor_patch"
  go_wrapper_tidy "$dir" "${KUBERNETES_COMMANDS[@]/#/k8s.io/kubernetes/cmd/}"
  declare -A stamp=(
    [gitVersion]=$KUBERNETES_VERSION [gitMajor]=$major [gitMinor]=$minor [gitTreeState]=clean
    [buildDate]=$(go_module_time k8s.io/kubernetes "$KUBERNETES_VERSION")
  )
  for key in "${!stamp[@]}"; do
    ldflags+=" -X k8s.io/component-base/version.$key=${stamp[$key]}"
    ldflags+=" -X k8s.io/client-go/pkg/version.$key=${stamp[$key]}"
  done
  local tags=selinux,notest,grpcnotrace cmd static=()
  for cmd in "${KUBERNETES_COMMANDS[@]}"; do
    [ "$cmd" = kubelet ] || static+=("k8s.io/kubernetes/cmd/$cmd")
  done
  CGO_ENABLED=0 go_build_into "$dir" "$out" "$ldflags" "$tags" "${static[@]}"
  CGO_ENABLED=1 go_build_into "$dir" "$out" "$ldflags" "$tags" k8s.io/kubernetes/cmd/kubelet
  touch "$out/.done"
}

# The publication time of a module version, used as the build date so that rebuilding the same
# version gives the same binaries.
go_module_time() {
  go list -m -f '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' "$1@$2"
}
