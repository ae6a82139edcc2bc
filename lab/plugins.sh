# Docker CLI plugins the pages use, `docker compose` and `docker buildx`. Debian 12 packages
# neither, so both are built from their Go modules (fetched from the Go module proxy), stamped
# with their real version and cached by version in $LAB_STATE. They are linked into the lab's own
# docker config folder (DOCKER_CONFIG, exported by lab/lab and `lab/lab env`), where the docker
# client looks for plugins first: nothing is installed system-wide.
# `go install MODULE@VERSION` refuses both: their go.mod files have exclude directives. So
# each is built with `go build` inside its downloaded module, as the main module, as upstream does.
# Sourced by lab/lab.

PLUGINS_STATE=$LAB_STATE/plugins
CLI_PLUGINS_DIR=$DOCKER_CONFIG/cli-plugins

# PLUGIN MODULE VERSION PACKAGE_DIR LDFLAGS: build once per version, then link into CLI_PLUGINS_DIR.
install_cli_plugin() {
  local plugin=$1 module=$2 version=$3 package_dir=$4 ldflags=$5
  local bin=$PLUGINS_STATE/$plugin-$version/docker-$plugin t0=$SECONDS
  if [ ! -x "$bin" ]; then
    log "plugins: building docker-$plugin $version from $module@$version"
    local source_dir
    source_dir=$(go mod download -json "$module@$version" | jq -r .Dir)
    mkdir -p "$(dirname "$bin")"
    (cd "$source_dir" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$bin.tmp" "./$package_dir")
    mv "$bin.tmp" "$bin"
    log "plugins: built docker-$plugin $version in $((SECONDS - t0)) s"
  fi
  ln -sfn "$bin" "$CLI_PLUGINS_DIR/docker-$plugin"
}

plugins_up() {
  command -v go >/dev/null || die "Go is needed to build docker compose and docker buildx"
  mkdir -p "$PLUGINS_STATE" "$CLI_PLUGINS_DIR"
  install_cli_plugin compose github.com/docker/compose/v2 "$COMPOSE_VERSION" cmd \
    "-w -X github.com/docker/compose/v2/internal.Version=$COMPOSE_VERSION"
  install_cli_plugin buildx github.com/docker/buildx "$BUILDX_VERSION" cmd/buildx \
    "-w -X github.com/docker/buildx/version.Version=$BUILDX_VERSION -X github.com/docker/buildx/version.Package=github.com/docker/buildx"
  log "plugins: $(docker compose version), $(docker buildx version)"
}
