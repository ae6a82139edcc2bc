# The images the pages use. Offline: a Debian base from debootstrap, stand-ins for the official
# images built from Debian packages (lab/images/<name>/), all served by the lab registry, which the
# engine uses as its registry mirror (lab/engine.sh). Online: the official images, pulled.
# Sourced by lab/lab.

IMAGES_DIR=$LAB_DIR/images
REGISTRY_CONTAINER=lab-registry
# Label holding the hash of an image's inputs: same hash, no rebuild.
INPUTS_LABEL=lab.inputs

# The stand-ins, in build order (registry first: it serves the others). Tags come from versions.env.
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
  chroot "$root" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get upgrade -y -qq >/dev/null
  chroot "$root" apt-get clean
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/apt/* \
    "$root"/var/log/dpkg.log "$root"/etc/resolv.conf "$root"/etc/hostname
}

debian_base_up() {
  local image=debian:$DEBIAN_VERSION inputs t0=$SECONDS
  inputs=$( { echo "$DEBIAN_SUITE"; declare -f build_debian_base; } | sha256sum | cut -c1-16)
  if [ "$(image_inputs_of "$image")" = "$inputs" ]; then
    log "images: $image is up to date"
  else
    local root
    root=$(mktemp -d "$LAB_STATE/debootstrap.XXXXXX")
    chmod 755 "$root"  # apt in the chroot downloads as the _apt user
    build_debian_base "$root"
    tar -C "$root" --numeric-owner -c . \
      | docker import --change 'CMD ["bash"]' --change "LABEL $INPUTS_LABEL=$inputs" - "$image" >/dev/null
    rm -rf "$root"
    log "images: built $image in $((SECONDS - t0)) s"
  fi
  docker tag "$image" "debian:$DEBIAN_SUITE"
}

images_up() {
  if [ "$LAB_MODE" = online ]; then
    local image
    for image in $(lab_images); do docker pull -q "$image" >/dev/null; done
    docker tag "debian:$DEBIAN_VERSION" "debian:$DEBIAN_SUITE"
    return
  fi
  debian_base_up
}
