# The images the pages use: a Debian base from debootstrap, stand-ins for the official
# images built from Debian packages (lab/images/<name>/), all served by the lab registry, which the
# engine uses as its registry mirror (lab/engine.sh).
# Sourced by lab/lab.

IMAGES_DIR=$LAB_DIR/images
REGISTRY_CONTAINER=lab-registry
# Label holding the hash of an image's inputs: same hash, no rebuild.
INPUTS_LABEL=lab.inputs

# The stand-ins, for the official images the pages use. Tags come from versions.env.
STAND_INS=(registry nginx redis mariadb)

image_tag() {  # NAME -> the tag from versions.env (NGINX_TAG for nginx, ...)
  local var="${1^^}_TAG"
  echo "${!var}"
}

# Every image the lab provides, as name:tag.
lab_images() {
  local name
  echo "debian:$DEBIAN_VERSION"
  for name in "${STAND_INS[@]}"; do echo "$name:$(image_tag "$name")"; done
}

image_id() { docker image inspect --format '{{.Id}}' "$1" 2>/dev/null || true; }

# After a rebuild, the previous image is only taking space: remove it unless a container uses it.
remove_superseded() {  # IMAGE OLD_ID
  [ -n "$2" ] && [ "$2" != "$(image_id "$1")" ] && docker rmi "$2" >/dev/null 2>&1
  return 0
}

image_inputs_of() {  # IMAGE -> the hash label it was built with, or nothing
  docker image inspect --format "{{index .Config.Labels \"$INPUTS_LABEL\"}}" "$1" 2>/dev/null || true
}

# debootstrap makes the same minbase tree the official Debian images are made from; the APT
# sources, the upgrade and the cleanup follow the official image.
build_debian_base() {
  local root=$1
  debootstrap --variant=minbase "$DEBIAN_SUITE" "$root" http://deb.debian.org/debian >/dev/null
  rm -f "$root/etc/apt/sources.list"
  cat > "$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: http://deb.debian.org/debian
Suites: $DEBIAN_SUITE $DEBIAN_SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: $DEBIAN_SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  # As in the official image: apt removes downloaded packages after installing them.
  cat > "$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  chroot "$root" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get upgrade -y -qq >/dev/null
  chroot "$root" apt-get clean
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/apt/* \
    "$root"/var/log/dpkg.log "$root"/etc/resolv.conf "$root"/etc/hostname
}

debian_base_up() {
  local image=debian:$DEBIAN_VERSION inputs t0=$SECONDS previous=""
  inputs=$( { echo "$DEBIAN_SUITE"; declare -f build_debian_base; } | sha256sum | cut -c1-16)
  if [ "$(image_inputs_of "$image")" = "$inputs" ]; then
    log "images: $image is up to date"
  else
    local root
    previous=$(image_id "$image")
    root=$(mktemp -d "$LAB_STATE/debootstrap.XXXXXX")
    chmod 755 "$root"  # apt in the chroot downloads as the _apt user
    as_root chown 0:0 "$root"  # it is the image's /
    # debootstrap and chroot need root: the function runs, as it is, in a root shell.
    as_root env DEBIAN_SUITE="$DEBIAN_SUITE" bash -euo pipefail -c \
      "$(declare -f build_debian_base); build_debian_base \"\$1\"" build_debian_base "$root"
    as_root tar -C "$root" --numeric-owner -c . \
      | docker import --change 'CMD ["bash"]' --change "LABEL $INPUTS_LABEL=$inputs" - "$image" >/dev/null
    as_root rm -rf "$root"
    log "images: built $image in $((SECONDS - t0)) s"
  fi
  docker tag "$image" "debian:$DEBIAN_SUITE"
  remove_superseded "$image" "$previous"
}

stand_in_up() {  # NAME: build lab/images/NAME unless its inputs are unchanged
  local name=$1 image t0=$SECONDS inputs
  image=$name:$(image_tag "$name")
  inputs=$( {
    echo "$DEBIAN_SUITE $image"
    image_inputs_of "debian:$DEBIAN_VERSION"
    (cd "$IMAGES_DIR/$name" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
  } | sha256sum | cut -c1-16)
  if [ "$(image_inputs_of "$image")" = "$inputs" ]; then
    log "images: $image is up to date"
    return
  fi
  local previous
  previous=$(image_id "$image")
  docker build --quiet --build-arg "DEBIAN_VERSION=$DEBIAN_VERSION" --label "$INPUTS_LABEL=$inputs" \
    --tag "$image" "$IMAGES_DIR/$name" >/dev/null
  remove_superseded "$image" "$previous"
  log "images: built $image in $((SECONDS - t0)) s"
}

# The lab registry: the registry stand-in, storing in $LAB_STATE so pushed images survive. Other
# networks (kind's) reach it as lab-registry:5000; the engine reaches it on 127.0.0.1:5001.
lab_registry_up() {
  local image=registry:$REGISTRY_TAG running_image
  running_image=$(docker inspect --format '{{.Image}}' "$REGISTRY_CONTAINER" 2>/dev/null || true)
  if [ "$running_image" != "$(image_id "$image")" ]; then
    [ -n "$running_image" ] && docker rm -f "$REGISTRY_CONTAINER" >/dev/null
    mkdir -p "$LAB_STATE/registry"
    docker run --detach --name "$REGISTRY_CONTAINER" --restart unless-stopped \
      --publish "127.0.0.1:$LAB_REGISTRY_PORT:5000" --volume "$LAB_STATE/registry:/var/lib/registry" \
      "$image" >/dev/null
  fi
  docker start "$REGISTRY_CONTAINER" >/dev/null
  local waited=0
  until curl -fsS "$LAB_MIRROR/v2/" >/dev/null 2>&1; do
    (( waited++ < 300 )) || die "the lab registry did not answer within 30 s: docker logs $REGISTRY_CONTAINER"
    sleep 0.1
  done
}

push_to_lab_registry() {  # IMAGE: serve it as library/IMAGE, where a mirror is looked up
  local mirrored=127.0.0.1:$LAB_REGISTRY_PORT/library/$1
  docker tag "$1" "$mirrored"
  docker push --quiet "$mirrored" >/dev/null
  docker rmi "$mirrored" >/dev/null
}

# kind's nodes are privileged containers: check they start (see the workaround in lab/engine.sh).
check_privileged_containers() {
  docker run --rm --privileged "debian:$DEBIAN_VERSION" true \
    || die "a privileged container does not start on this engine; see $LAB_STATE/engine/dockerd.log"
}

images_up() {
  local image name t0
  debian_base_up
  check_privileged_containers
  # The stand-ins only need the base: build them side by side (mostly downloads and unpacking).
  local builds=() build
  for name in "${STAND_INS[@]}"; do
    stand_in_up "$name" &
    builds+=($!)
  done
  for build in "${builds[@]}"; do
    wait "$build" || die "images: a stand-in did not build (see above)"
  done
  lab_registry_up
  t0=$SECONDS
  for image in $(lab_images) "debian:$DEBIAN_SUITE"; do push_to_lab_registry "$image"; done
  log "images: pushed $(lab_images | wc -l) images and debian:$DEBIAN_SUITE to $REGISTRY_CONTAINER in $((SECONDS - t0)) s"
}
