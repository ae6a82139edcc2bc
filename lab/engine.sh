# The Docker engine: use one that already answers, or install Debian's docker.io and start dockerd.
# Sourced by lab/lab. Offline, the engine pulls Docker Hub names through the lab registry
# (lab/images.sh), exactly as a reader in China pulls through a registry mirror.

ENGINE_STATE=$LAB_STATE/engine
ENGINE_PIDFILE=$ENGINE_STATE/dockerd.pid
# Present while the engine was started by the latest `lab/lab up`: only then does `down` stop it.
ENGINE_STARTED_MARK=$ENGINE_STATE/started-by-last-up
LAB_REGISTRY_PORT=5001
LAB_MIRROR=http://127.0.0.1:$LAB_REGISTRY_PORT
# Debian packages the lab needs on the host: debootstrap builds the Debian base image, jq edits
# OCI specs in the runc wrapper and reads go's JSON, curl checks the lab registry.
ENGINE_PACKAGES=(docker.io debootstrap jq curl)
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

install_engine_packages() {
  local missing=() pkg
  for pkg in "${ENGINE_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return
  log "engine: installing ${missing[*]} from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  local installed
  installed=$(dpkg-query -W -f='${Version}' docker.io)
  [[ $installed == "$DOCKER_DEB_VERSION"* ]] \
    || log "engine: warning: docker.io $installed is not the tested $DOCKER_DEB_VERSION"
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
  install_engine_packages
  if engine_answers; then
    rm -f "$ENGINE_STARTED_MARK"
    log "engine: a Docker engine already answers; using it (\`lab/lab down\` will leave it running)"
    if [ "$LAB_MODE" = offline ] \
      && ! docker info --format '{{json .RegistryConfig.Mirrors}}' | grep -qF "\"$LAB_MIRROR/\""; then
      die "the running engine has no registry mirror $LAB_MIRROR, which offline mode needs.
  Add it to /etc/docker/daemon.json:  { \"registry-mirrors\": [\"$LAB_MIRROR\"] }
  then restart the engine (e.g. systemctl restart docker), or run with LAB_MODE=online."
    fi
    log_engine_versions
    return
  fi
  local config
  config=$(write_daemon_config)
  log "engine: starting dockerd (log: $ENGINE_STATE/dockerd.log)"
  # setsid: the engine outlives this shell and its process group (LAB_KEEP, other users).
  setsid dockerd --config-file "$config" --pidfile "$ENGINE_PIDFILE" >>"$ENGINE_STATE/dockerd.log" 2>&1 &
  local pid=$! waited=0
  until engine_answers; do
    kill -0 "$pid" 2>/dev/null || die "dockerd exited; see $ENGINE_STATE/dockerd.log"
    # A bounded wait on the socket: dockerd answers within seconds or something is wrong.
    (( waited++ < 600 )) || die "dockerd did not answer within 60 s; see $ENGINE_STATE/dockerd.log"
    sleep 0.1
  done
  touch "$ENGINE_STARTED_MARK"
  log "engine: dockerd answers (pid $pid)"
  log_engine_versions
}

engine_down() {
  [ -f "$ENGINE_STARTED_MARK" ] || return 0
  rm -f "$ENGINE_STARTED_MARK"
  if [ "${LAB_KEEP:-}" = 1 ] && [ "${CI:-}" != true ]; then
    log "engine: kept running (LAB_KEEP=1)"
    return
  fi
  local pid
  pid=$(cat "$ENGINE_PIDFILE")
  kill -0 "$pid" 2>/dev/null || return 0
  log "engine: stopping dockerd (pid $pid)"
  kill "$pid"
  tail --pid="$pid" -f /dev/null
}
