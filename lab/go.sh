# One way to build a Go component of the lab from the Go module proxy, for every part: Docker's
# engine and CLI, the CLI plugins, Kubernetes and the node's programs. Sourced by lab/lab.
#
#   go_component NAME VERSION module=PATH@VERSION packages='PKG...' [how=module|wrapper|vendor]
#                [ldflags='...'] [tags='...'] [cgo=0|1] [staged=VERSION] [out=NAME...]
#
# The programs land in $LAB_STATE/bin/NAME-VERSION/, built once per version (a .done marker);
# an interrupted build leaves nothing half-written. How the module is built:
#   module   inside its own downloaded module, as upstream does (plain go.mod, replace and exclude
#            directives honoured: `go install` refuses modules that have them)
#   wrapper  from a module of ours that requires it: for modules whose own replace directives point
#            into their tree (Kubernetes' staging modules, pinned to `staged`)
#   vendor   inside a copy of the module with its vendor.mod as go.mod (and vendor.sum as go.sum),
#            as upstream's scripts do for modules that publish no go.mod (docker/cli)
# out= names the programs, one per package in order, where a package's path does not end in its
# program's name (etcd's go.etcd.io/etcd/server/v3 is `etcd`); by default go build names them.
# Builds use the Go toolchain pinned in versions.env (GO_VERSION), which the go command fetches from
# the module proxy when the installed one is older, so every machine compiles with the same Go.

go_component() {
  local name=$1 version=$2; shift 2
  local module='' packages='' how=module ldflags='' tags='' cgo=0 staged='' names='' arg
  for arg; do
    case $arg in
      module=*|packages=*|how=*|ldflags=*|tags=*|cgo=*|staged=*) local "$arg" ;;
      out=*) names=${arg#out=} ;;
      *) die "go_component $name: unknown setting '$arg'" ;;
    esac
  done
  local out=$LAB_STATE/bin/$name-$version t0=$SECONDS dir lock
  [ -f "$out/.done" ] && return
  # Other lab runs (another clone, CI) share $LAB_STATE: one builds a given version, the others wait.
  mkdir -p "$LAB_STATE/bin"
  exec {lock}>"$out.lock"
  flock "$lock"
  if [ -f "$out/.done" ]; then exec {lock}>&-; return; fi
  log "build $name $version: from $module"
  case $how in
    module) dir=$(go_module_dir "${module%@*}" "${module#*@}") ;;
    wrapper) dir=$LAB_STATE/go/$name-$version; go_wrapper_module "$dir" "${module%@*}" "${module#*@}" "$staged"
             # shellcheck disable=SC2086  # packages is a list
             go_wrapper_tidy "$dir" $packages ;;
    vendor) dir=$LAB_STATE/go/$name-$version; rm -rf "$dir" && mkdir -p "$LAB_STATE/go"
            cp -r "$(go_module_dir "${module%@*}" "${module#*@}")" "$dir" && chmod -R u+w "$dir"
            # A module zip carries no vendor/ tree: the requirements come from the proxy instead.
            cp "$dir/vendor.mod" "$dir/go.mod" && cp "$dir/vendor.sum" "$dir/go.sum" && rm -rf "$dir/vendor" ;;
    *) die "go_component $name: how must be module, wrapper or vendor, not '$how'" ;;
  esac
  rm -rf "$out.tmp" && mkdir -p "$out.tmp"
  local -a build=(go build -trimpath -tags "$tags" -ldflags "$ldflags -s -w") pkgs outs
  # A module zip keeps vendor/modules.txt but not the vendored code, and go then defaults to
  # -mod=vendor: take the requirements from the proxy, as `go install MODULE@VERSION` does.
  [ "$how" = module ] && build+=(-mod=mod)
  read -rd '' -a pkgs <<<"$packages" || true   # lists may span lines
  read -rd '' -a outs <<<"$names" || true
  if [ ${#outs[@]} -eq 0 ]; then
    (cd "$dir" && CGO_ENABLED=$cgo "${build[@]}" -o "$out.tmp/" "${pkgs[@]}")
  else
    # One name per package, in order: for packages whose path does not end in the program's name
    # (etcd's server/v3 is the etcd command).
    [ ${#outs[@]} -eq ${#pkgs[@]} ] || die "go_component $name: out names ${#outs[@]} programs for ${#pkgs[@]} packages"
    local i
    for i in "${!pkgs[@]}"; do
      (cd "$dir" && CGO_ENABLED=$cgo "${build[@]}" -o "$out.tmp/${outs[i]}" "${pkgs[i]}")
    done
  fi
  rm -rf "$out" && mv "$out.tmp" "$out" && touch "$out/.done"
  exec {lock}>&-
  log "build $name $version: $((SECONDS - t0)) s"
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

# The listed packages become the module's tools, so `go mod tidy` resolves what they import.
go_wrapper_tidy() {
  local dir=$1 pkg; shift
  (cd "$dir" && for pkg in "$@"; do go mod edit -tool "$pkg"; done && go mod tidy)
}

# The pinned toolchain for every go command the lab runs (GOTOOLCHAIN=local would refuse it).
export GOTOOLCHAIN=go$GO_VERSION

# containerd and runc: the engine's (lab/engine.sh) and the kind node's (lab/node-image.sh), one build.
build_containerd() {
  go_component containerd "$CONTAINERD_VERSION" module="github.com/containerd/containerd/v2@$CONTAINERD_VERSION" \
    packages='./cmd/containerd ./cmd/containerd-shim-runc-v2 ./cmd/ctr' tags=no_btrfs \
    ldflags="-X github.com/containerd/containerd/v2/version.Version=$CONTAINERD_VERSION
             -X github.com/containerd/containerd/v2/version.Revision=$CONTAINERD_VERSION"
}

# runc needs cgo and libseccomp (Debian's libseccomp-dev), as its own Makefile builds it.
build_runc() {
  go_component runc "$RUNC_VERSION" module="github.com/opencontainers/runc@$RUNC_VERSION" \
    packages=. cgo=1 tags='seccomp urfave_cli_no_docs' ldflags="-X main.version=${RUNC_VERSION#v}"
}
