# The Docker engine: use one that already answers, or install Debian's docker.io and start dockerd
# (as root). Sourced by lab/lab. It never installs docker.io next to Docker CE, nor stops an engine
# it did not start. Offline, the engine pulls Docker Hub names through the lab registry
# (lab/images.sh), exactly as a reader in China pulls through a registry mirror.

ENGINE_STATE=$LAB_STATE/engine
ENGINE_PIDFILE=$ENGINE_STATE/dockerd.pid
# Present while the running engine is the dockerd the lab started (the name is historical): only
# then does `down` stop it.
ENGINE_STARTED_MARK=$ENGINE_STATE/started-by-last-up
LAB_REGISTRY_PORT=5001
LAB_MIRROR=http://127.0.0.1:$LAB_REGISTRY_PORT
# Debian packages the lab needs on the host: debootstrap builds the Debian base image, jq edits
# OCI specs in the runc wrapper and reads go's JSON, curl checks the lab registry. docker.io only
# when no engine answers.
ENGINE_PACKAGES=(debootstrap jq curl)
# Runtime name of the runc wrapper that works around the missing CAP_SYS_RESOURCE (moby #42906).
PRIVILEGED_RUNTIME=runc-drop-sys-resource

engine_answers() { docker info >/dev/null 2>&1; }

# This sandbox's capability bounding set lacks CAP_SYS_RESOURCE (bit 24), yet dockerd 20.10 asks
# for it in privileged containers, so `docker run --privileged` fails (moby #42906).
lacks_cap_sys_resource() {
  local bnd
  bnd=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
  (( (16#$bnd >> 24 & 1) == 0 ))
}

# The pid of the dockerd the lab started, if it still runs (a stale pidfile may name another process).
lab_dockerd_pid() {
  local pid
  pid=$(cat "$ENGINE_PIDFILE" 2>/dev/null) && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] &&
    echo "$pid"
}

# What to add to the engine's configuration for the lab, for the messages below.
mirror_hint() {
  [ "$LAB_MODE" = offline ] || return 0
  echo "
  Offline mode needs the lab registry as its registry mirror, in /etc/docker/daemon.json:
    { \"registry-mirrors\": [\"$LAB_MIRROR\"] }
  (or run with LAB_MODE=online)."
}

# Debian's docker.io, unless another engine is installed or running: the lab never replaces it.
install_debian_engine() {
  if deb_installed docker-ce || deb_installed containerd.io; then
    die "no Docker engine answers, and Docker CE is installed (docker-ce or containerd.io): the lab
  will not install Debian's docker.io next to it (containerd.io conflicts with Debian's containerd).
  Start your engine (e.g. sudo systemctl start docker), then run lab/lab up again.$(mirror_hint)"
  fi
  if pgrep -x dockerd >/dev/null; then
    die "a dockerd runs but \`docker info\` fails as $(id -un): $(docker info 2>&1 >/dev/null | tail -1)
  The lab will not start a second engine next to it."
  fi
  apt_install docker.io
  local installed
  installed=$(dpkg-query -W -f='${Version}' docker.io)
  [[ $installed == "$DOCKER_DEB_VERSION"* ]] \
    || log "engine: warning: docker.io $installed is not the tested $DOCKER_DEB_VERSION"
  # dockerd runs as root; its socket is for root and the docker group.
  [ "$(id -u)" = 0 ] || [[ " $(id -nG) " == *" docker "* ]] ||
    die "$(id -un) is not in the docker group: sudo usermod -aG docker $(id -un), log in again, rerun"
}

write_daemon_config() {
  local config=$ENGINE_STATE/daemon.json mirrors='[]' runtimes='{}' default_runtime=runc
  [ "$LAB_MODE" = offline ] && mirrors="[\"$LAB_MIRROR\"]"
  if lacks_cap_sys_resource; then
    install -m 0755 "$LAB_DIR/runc-drop-sys-resource" "$ENGINE_STATE/runc-drop-sys-resource"
    runtimes="{\"$PRIVILEGED_RUNTIME\": {\"path\": \"$ENGINE_STATE/runc-drop-sys-resource\"}}"
    default_runtime=$PRIVILEGED_RUNTIME
    log "engine: workaround active: CAP_SYS_RESOURCE is missing from this machine's capability" \
        "bounding set and dockerd asks for it in privileged containers (moby #42906);" \
        "the default runtime $PRIVILEGED_RUNTIME removes it from each container's spec"
  fi
  cat > "$config" <<EOF
{
  "registry-mirrors": $mirrors,
  "runtimes": $runtimes,
  "default-runtime": "$default_runtime"
}
EOF
  echo "$config"
}

# The pages use the first docker client on PATH: on our machines /usr/local/bin/docker (28.x, what
# readers install today), which talks to Debian's dockerd 20.10 at API 1.41.
log_engine_versions() {
  log "engine: client $(docker version --format '{{.Client.Version}}') ($(command -v docker))," \
      "dockerd $(docker version --format '{{.Server.Version}}')"
}

engine_up() {
  mkdir -p "$ENGINE_STATE"
  apt_install "${ENGINE_PACKAGES[@]}"
  if engine_answers; then
    if [ -f "$ENGINE_STARTED_MARK" ] && lab_dockerd_pid >/dev/null; then
      log "engine: the dockerd the lab started still runs (pid $(lab_dockerd_pid)); using it"
    else
      rm -f "$ENGINE_STARTED_MARK"
      log "engine: a Docker engine already answers; using it (\`lab/lab down\` will leave it running)"
    fi
    if [ "$LAB_MODE" = offline ] \
      && ! docker info --format '{{json .RegistryConfig.Mirrors}}' | grep -qF "\"$LAB_MIRROR/\""; then
      die "the running engine has no registry mirror $LAB_MIRROR.$(mirror_hint)
  Then restart the engine (e.g. sudo systemctl restart docker)."
    fi
    log_engine_versions
    return
  fi
  install_debian_engine
  local config
  config=$(write_daemon_config)
  log "engine: starting dockerd (log: $ENGINE_STATE/dockerd.log)"
  # setsid --fork: dockerd runs in a session of its own and outlives this shell and sudo (LAB_KEEP).
  rm -f "$ENGINE_PIDFILE"
  as_root setsid --fork dockerd --config-file "$config" --pidfile "$ENGINE_PIDFILE" \
    </dev/null >>"$ENGINE_STATE/dockerd.log" 2>&1
  # dockerd writes its pidfile once its configuration is read, and removes it when it exits.
  local waited=0 started=
  until engine_answers; do
    if lab_dockerd_pid >/dev/null; then started=1
    elif [ -n "$started" ]; then die "dockerd exited; see $ENGINE_STATE/dockerd.log"; fi
    # A bounded wait on the socket: dockerd answers within seconds or something is wrong.
    (( waited++ < 600 )) || die "dockerd did not answer within 60 s; see $ENGINE_STATE/dockerd.log"
    sleep 0.1
  done
  touch "$ENGINE_STARTED_MARK"
  log "engine: dockerd answers (pid $(lab_dockerd_pid))"
  log_engine_versions
}

# The mark stays while the engine keeps running, so that a later `down` still stops it.
engine_down() {
  [ -f "$ENGINE_STARTED_MARK" ] || return 0
  if [ "${LAB_KEEP:-}" = 1 ] && [ "${CI:-}" != true ]; then
    log "engine: kept running (LAB_KEEP=1); \`lab/lab down\` stops it"
    return
  fi
  local pid
  if pid=$(lab_dockerd_pid); then
    log "engine: stopping dockerd (pid $pid)"
    as_root kill "$pid"
    tail --pid="$pid" -f /dev/null
  fi
  rm -f "$ENGINE_STARTED_MARK"
}
