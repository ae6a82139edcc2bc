# Docker CLI plugins the pages use, `docker compose` and `docker buildx`, built from their Go modules
# (lab/go.sh) and stamped with their real version. They are linked into the lab's own docker config
# folder (DOCKER_CONFIG, exported by lab/lab and `lab/lab env`), where the docker client looks for
# plugins first: nothing is installed system-wide. Sourced by lab/lab.

CLI_PLUGINS_DIR=$DOCKER_CONFIG/cli-plugins

plugins_up() {
  command -v go >/dev/null || die "Go is needed to build docker compose and docker buildx"
  go_component compose "$COMPOSE_VERSION" module="github.com/docker/compose/v5@$COMPOSE_VERSION" \
    packages=./cmd ldflags="-X github.com/docker/compose/v5/internal.Version=$COMPOSE_VERSION"
  go_component buildx "$BUILDX_VERSION" module="github.com/docker/buildx@$BUILDX_VERSION" packages=./cmd/buildx \
    ldflags="-X github.com/docker/buildx/version.Version=$BUILDX_VERSION -X github.com/docker/buildx/version.Package=github.com/docker/buildx"
  mkdir -p "$CLI_PLUGINS_DIR"
  ln -sfn "$LAB_STATE/bin/compose-$COMPOSE_VERSION/cmd" "$CLI_PLUGINS_DIR/docker-compose"
  ln -sfn "$LAB_STATE/bin/buildx-$BUILDX_VERSION/buildx" "$CLI_PLUGINS_DIR/docker-buildx"
  log "plugins: $(docker compose version), $(docker buildx version)"
}
