# Part "engine": the Docker Engine a reader installs today (versions.env: DOCKER_VERSION), built
# from its Go modules and run from the lab's own prefix, data root and exec root, so it never touches
# another engine's files. It listens where a reader's engine does, /var/run/docker.sock, which the
# pages show. Sourced by lab/lab.
#   dockerd, docker-proxy   github.com/moby/moby/v2 (the engine)
#   docker                  github.com/docker/cli (the CLI the pages use, whatever else is on PATH)
#   containerd, runc        github.com/containerd/containerd/v2, github.com/opencontainers/runc
#   docker-init             tini, from Debian (the same release Docker's packages ship)
# The engine uses the containerd image store, as a fresh Docker 29 install does. Offline, it pulls
# Docker Hub names through the lab registry (lab/images.sh), exactly as a reader in China pulls
# through a registry mirror. Only one engine runs on a machine: if another dockerd runs, the lab
# says so and stops, rather than start a second one beside it (they would share the docker0 bridge
# and the firewall's chains).

ENGINE_STATE=$LAB_STATE/engine
ENGINE_BIN=$ENGINE_STATE/bin
ENGINE_PIDFILE=$ENGINE_STATE/dockerd.pid
# Short: unix socket paths are limited to 107 bytes, and containerd's sockets live under it.
ENGINE_EXEC_ROOT=/run/docker-k8s-lab
ENGINE_SOCKET=/var/run/docker.sock
LAB_REGISTRY_PORT=5001
LAB_MIRROR=http://127.0.0.1:$LAB_REGISTRY_PORT
# Debian packages the lab needs on the host: debootstrap builds the Debian base image, jq edits
# go's JSON, curl checks the lab registry; the engine needs
# tini (docker-init), iptables, libseccomp (runc) and its headers to build runc.
# debian-archive-keyring: debootstrap checks Debian's signatures with it (Ubuntu does not ship it).
ENGINE_PACKAGES=(debootstrap debian-archive-keyring jq curl tini iptables libseccomp2 libseccomp-dev gcc libc6-dev)

engine_answers() { docker info >/dev/null 2>&1; }

# The pid of the dockerd the lab started, if it still runs (a stale pidfile may name another process).
lab_dockerd_pid() {
  local pid
  pid=$(cat "$ENGINE_PIDFILE" 2>/dev/null) && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] &&
    echo "$pid"
}

# Docker's programs, each built once per version, linked into one folder: dockerd finds containerd,
# runc, docker-proxy and docker-init on its PATH, and LAB_PATH puts the CLI first for everyone.
engine_build() {
  go_component moby "$MOBY_MODULE_VERSION" module="github.com/moby/moby/v2@$MOBY_MODULE_VERSION" \
    packages='./cmd/dockerd ./cmd/docker-proxy' tags='exclude_graphdriver_btrfs exclude_disk_quota' \
    ldflags="-X github.com/moby/moby/v2/dockerversion.Version=$DOCKER_VERSION
             -X github.com/moby/moby/v2/dockerversion.GitCommit=$MOBY_MODULE_VERSION
             -X github.com/moby/moby/v2/dockerversion.BuildTime=$(go_module_time github.com/moby/moby/v2 "$MOBY_MODULE_VERSION")"
  go_component docker-cli "$DOCKER_CLI_VERSION" module="github.com/docker/cli@$DOCKER_CLI_VERSION+incompatible" \
    how=vendor packages=./cmd/docker \
    ldflags="-X github.com/docker/cli/cli/version.Version=${DOCKER_CLI_VERSION#v}
             -X github.com/docker/cli/cli/version.GitCommit=$DOCKER_CLI_VERSION
             -X github.com/docker/cli/cli/version.BuildTime=$(go_module_time github.com/docker/cli "$DOCKER_CLI_VERSION+incompatible")"
  build_containerd
  build_runc
  mkdir -p "$ENGINE_BIN"
  local program
  for program in "$LAB_STATE/bin/moby-$MOBY_MODULE_VERSION"/* "$LAB_STATE/bin/docker-cli-$DOCKER_CLI_VERSION"/* \
                 "$LAB_STATE/bin/containerd-$CONTAINERD_VERSION"/* "$LAB_STATE/bin/runc-$RUNC_VERSION"/*; do
    ln -sfn "$program" "$ENGINE_BIN/${program##*/}"
  done
  ln -sfn /usr/bin/tini-static "$ENGINE_BIN/docker-init"
}

close_inherited_fds() {
  local fd
  for fd in /proc/"$BASHPID"/fd/*; do
    fd=${fd##*/}
    if ((fd > 2)); then eval "exec $fd>&-"; fi
  done
}

write_daemon_config() {
  local config=$ENGINE_STATE/daemon.json mirrors="[\"$LAB_MIRROR\"]"
  cat > "$config" <<EOF
{
  "hosts": ["unix://$ENGINE_SOCKET"],
  "data-root": "$ENGINE_STATE/data",
  "exec-root": "$ENGINE_EXEC_ROOT",
  "pidfile": "$ENGINE_PIDFILE",
  "registry-mirrors": $mirrors
}
EOF
  echo "$config"
}

log_engine_versions() {
  log "engine: client $(docker version --format '{{.Client.Version}}') ($(command -v docker))," \
      "dockerd $(docker version --format '{{.Server.Version}}'), $(docker info --format 'storage {{.Driver}}, {{index .DriverStatus 0}}')"
}

engine_up() {
  apt_install "${ENGINE_PACKAGES[@]}"
  mkdir -p "$ENGINE_STATE"
  step "engine: build" engine_build
  if [ -n "$(lab_dockerd_pid)" ] && engine_answers; then
    log "engine: the lab's dockerd runs (pid $(lab_dockerd_pid)); using it"
    log_engine_versions
    return
  fi
  # Another engine, or systemd's socket for one (docker.socket), answers on the socket.
  if pgrep -x dockerd >/dev/null || curl -s -m 5 --unix-socket "$ENGINE_SOCKET" http://docker/_ping >/dev/null; then
    die "another Docker engine runs on this machine (or answers on $ENGINE_SOCKET). The lab runs
  its own Docker $DOCKER_VERSION and will not start a second engine beside it: they would share the
  docker0 bridge and the firewall's chains. Stop yours (e.g. sudo systemctl stop docker docker.socket),
  run lab/lab up again, and start yours after lab/lab down."
  fi
  # dockerd uses a system containerd instead of starting its own as soon as this socket exists.
  if [ -S /run/containerd/containerd.sock ]; then
    die "a containerd runs on this machine (/run/containerd/containerd.sock): dockerd would use it instead
  of the lab's containerd $CONTAINERD_VERSION. Stop it (e.g. sudo systemctl stop containerd), run
  lab/lab up again, and start it after lab/lab down."
  fi
  # The socket belongs to the docker group, as after Docker's own install (a reader's post-install step).
  getent group docker >/dev/null || as_root groupadd --system docker
  [ "$(id -u)" = 0 ] || [[ " $(id -nG) " == *" docker "* ]] ||
    die "$(id -un) is not in the docker group: sudo usermod -aG docker $(id -un), log in again, rerun"
  local config
  config=$(write_daemon_config)
  log "engine: starting dockerd $DOCKER_VERSION (log: $ENGINE_STATE/dockerd.log)"
  as_root rm -f "$ENGINE_PIDFILE"
  # setsid --fork: dockerd runs in a session of its own and outlives this shell and sudo (LAB_KEEP).
  # It gets no descriptor but the standard ones: a lock this shell inherited (flock, the tests'
  # cluster lock) would otherwise stay held for as long as the engine runs.
  (
    close_inherited_fds
    # A system PATH, not the caller's: an ordinary user's has no /usr/sbin, where iptables lives.
    as_root env PATH="$ENGINE_BIN:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
      setsid --fork dockerd --config-file "$config" \
      </dev/null >>"$ENGINE_STATE/dockerd.log" 2>&1
  )
  # dockerd writes its pidfile once its configuration is read, and removes it when it exits.
  local waited=0 started=
  until engine_answers; do
    if lab_dockerd_pid >/dev/null; then started=1
    elif [ -n "$started" ] || { ((waited > 20)) && ! pgrep -f -- "dockerd --config-file $config" >/dev/null; }; then
      die "dockerd exited: $(tail -n 1 "$ENGINE_STATE/dockerd.log") (see $ENGINE_STATE/dockerd.log)"
    fi
    # A bounded wait on the socket: dockerd answers within seconds or something is wrong.
    (( waited++ < 600 )) || die "dockerd did not answer within 60 s; see $ENGINE_STATE/dockerd.log"
    sleep 0.1
  done
  log "engine: dockerd answers (pid $(lab_dockerd_pid))"
  log_engine_versions
}

engine_down() {
  local pid
  pid=$(lab_dockerd_pid) || return 0
  if [ "${LAB_KEEP:-}" = 1 ] && [ "${CI:-}" != true ]; then
    log "engine: kept running (LAB_KEEP=1); \`lab/lab down\` stops it"
    return
  fi
  log "engine: stopping dockerd (pid $pid)"
  as_root kill "$pid"
  tail --pid="$pid" -f /dev/null
}
