# Part "node-image": the image kind boots as a Kubernetes node, built here with no registry.
# Offline, `kind build node-image` cannot work (it pulls every image it did not build), so its
# steps are done by hand, from package registries only:
#   1. binaries: Kubernetes, etcd, CoreDNS, containerd, runc, the CNI plugins, ... from the Go module
#      proxy (lab/k8s/go-build.sh)
#   2. base: Debian bookworm (debootstrap) + systemd and the packages kind's base image installs, the
#      containerd, runc, crictl and CNI plugins built in step 1 (kind builds these from source too),
#      plus kind's own files (images/base/files of the kind module) - what kind's base image is
#   3. images: the control-plane and storage images, tagged with the names that
#      `kubeadm config images list` and the node's manifests use
#   4. node: the binaries in /usr/bin, /kind/version, the manifests, and the images imported into
#      the node's containerd and pinned; committed with kind's entrypoint
# The result is cached by a hash of its inputs (label lab.inputs); its tag is written to
# $LAB_STATE/node-image for the cluster part.
#
# The pod network (kind's own kindnetd is not served by the Go module proxy) is the CNI reference
# plugins, configured by the node's containerd from lab/k8s/pod-network.conflist.tmpl with the pod
# CIDR the kubelet reports: see that file for why, and what it does not do (NetworkPolicy).

source "$LAB_DIR/k8s/go-build.sh"

NODE_IMAGE_REPO=lab-kind-node
NODE_BUILD=$LAB_STATE/node-build
NODE_BASE_PACKAGES=(
  # what kind's base image installs (images/base/Dockerfile)
  systemd conntrack iptables nftables iproute2 ethtool util-linux mount kmod
  libseccomp2 pigz fuse-overlayfs nfs-common open-iscsi bash ca-certificates curl jq procps
  # what kind builds from source for it (containerd, runc, crictl, CNI plugins) is built in step 1
)
# Where the node's files of the lab go (kind's own config files are left as kind ships them).
NODE_CNI_TEMPLATE=/etc/containerd/pod-network.conflist.tmpl
NODE_KUBELET_CONFIG_DIR=/etc/kubernetes/kubelet.conf.d

node_image_up() {
  node_image_prerequisites
  step "node-image: binaries" build_all_binaries
  local hash tag
  hash=$(node_image_inputs_hash)
  tag=$NODE_IMAGE_REPO:$KUBERNETES_VERSION-${hash:0:12}
  if docker image inspect "$tag" >/dev/null 2>&1; then
    log "node-image: $tag is up to date"
  else
    step "node-image: base root filesystem" node_base_rootfs
    step "node-image: component images" node_component_images
    step "node-image: assemble $tag" node_assemble "$tag" "$hash"
    node_remove_older_images "$tag"
  fi
  echo "$tag" > "$LAB_STATE/node-image"
  log "node-image: $tag, $(docker image inspect -f '{{.Size}}' "$tag" | numfmt --to=iec)"
}

node_image_down() { :; }

node_image_prerequisites() {
  # debootstrap by package: it is in /usr/sbin, which is not on an ordinary user's PATH.
  # gcc for the pause binary and cgo (kubelet, runc); runc's seccomp support links libseccomp.
  local wanted=(debootstrap debian-archive-keyring gcc libc6-dev libseccomp-dev pkg-config)
  python3 -c 'import yaml' 2>/dev/null || wanted+=(python3-yaml)
  apt_install "${wanted[@]}"
  docker image inspect "debian:$DEBIAN_VERSION" >/dev/null 2>&1 ||
    die "node-image needs the debian:$DEBIAN_VERSION image: run 'lab/lab up images' first"
}

# Everything the node image is made of: versions, these scripts, the Debian base image, and
# whether the host has CAP_SYS_RESOURCE, and its cgroup version.
node_image_inputs_hash() {
  {
    # Only the versions that go into the node: a new Lighthouse or actionlint rebuilds nothing here.
    grep -E '^(DEBIAN|KUBERNETES|KIND|CRICTL|ETCD|COREDNS|PAUSE|CNI_PLUGINS|LOCAL_PATH_PROVISIONER|METRICS_SERVER|TRAEFIK|CONTAINERD|RUNC)_' \
      "$REPO_DIR/versions.env"
    cat "$LAB_DIR/node-image.sh" "$LAB_DIR"/k8s/*
    docker image inspect -f '{{.Id}}' "debian:$DEBIAN_VERSION"
    if node_host_has_sys_resource; then echo "CAP_SYS_RESOURCE: yes"; else echo "CAP_SYS_RESOURCE: no"; fi
    if node_host_has_cgroup_v1; then echo "cgroup: v1"; else echo "cgroup: v2"; fi
  } | sha256sum | cut -c1-64
}

# Some VMs (this project's among them, machine.md) drop CAP_SYS_RESOURCE (bit 24) from every
# process's bounding set, so privileged containers and the node do not have it either.
node_host_has_sys_resource() {
  local bounding
  bounding=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
  (( (0x$bounding >> 24) & 1 ))
}

# This project's machines mount cgroup v1 (a hybrid hierarchy, machine.md); readers' machines mostly
# have cgroup v2 (the kernel's cgroup2fs at /sys/fs/cgroup). kind's nodes see the host's.
node_host_has_cgroup_v1() {
  [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]
}

# Step 2: kind's base image, rebuilt from Debian packages and kind's files. The root filesystem
# belongs to root, so everything that writes into it runs as root.
node_base_rootfs() {
  local rootfs=$NODE_BUILD/rootfs kind_files
  kind_files=$(go_module_dir sigs.k8s.io/kind "$KIND_VERSION")/images/base/files
  mkdir -p "$NODE_BUILD"
  as_root rm -rf "$rootfs" && as_root mkdir "$rootfs"
  as_root debootstrap --variant=minbase --include="$(IFS=,; echo "${NODE_BASE_PACKAGES[*]}")" "$DEBIAN_SUITE" \
    "$rootfs" http://deb.debian.org/debian >"$NODE_BUILD/debootstrap.log" 2>&1 ||
    die "debootstrap failed, see $NODE_BUILD/debootstrap.log"
  as_root install -m 0755 "$kind_files"/usr/local/bin/* "$rootfs/usr/local/bin/"
  as_root mkdir -p "$rootfs/kind/bin" "$rootfs/LICENSES" "$rootfs/etc/kubernetes/manifests" "$rootfs/opt/cni/bin"
  as_root install -m 0644 "$kind_files"/kind/README.txt "$rootfs/kind/"
  as_root install -m 0755 "$kind_files"/kind/bin/* "$rootfs/kind/bin/"
  as_root install -m 0644 "$kind_files"/LICENSES/* "$rootfs/LICENSES/"
  (cd "$kind_files/etc" && as_root find . -type f -exec install -D -m 0644 {} "$rootfs/etc/{}" \;)
  as_root cp /dev/null "$rootfs/etc/machine-id"
  # The programs built in step 1, where kind's base image has them (its units and entrypoint
  # expect them there).
  as_root install -m 0755 "$LAB_STATE/bin/containerd-$CONTAINERD_VERSION"/* "$rootfs/usr/local/bin/"
  as_root install -m 0755 "$LAB_STATE/bin/runc-$RUNC_VERSION/runc" "$rootfs/usr/local/sbin/"
  as_root install -m 0755 "$LAB_STATE/bin/crictl-$CRICTL_VERSION/crictl" "$rootfs/usr/local/bin/"
  as_root install -m 0755 "$LAB_STATE/bin/cni-plugins-$CNI_PLUGINS_VERSION"/* "$rootfs/opt/cni/bin/"
  # The pause image kubeadm names is the one built here (kind's config names an older tag).
  as_root sed -i "s#sandbox_image = .*#sandbox_image = \"registry.k8s.io/pause:$PAUSE_VERSION\"#" \
    "$rootfs/etc/containerd/config.toml"
  # The pod network: containerd writes the CNI configuration from this template once the kubelet
  # reports the node's pod CIDR (lab/k8s/pod-network.conflist.tmpl says why and what it lacks).
  as_root install -m 0644 "$LAB_DIR/k8s/pod-network.conflist.tmpl" "$rootfs$NODE_CNI_TEMPLATE"
  printf '%s\n' '' '# The lab'"'"'s pod network (lab/k8s/pod-network.conflist.tmpl)' \
    '[plugins."io.containerd.grpc.v1.cri".cni]' "  conf_template = \"$NODE_CNI_TEMPLATE\"" |
    as_root tee -a "$rootfs/etc/containerd/config.toml" >/dev/null
  # Bridged Pod traffic must pass the firewall for kube-proxy's Service rules to apply to it (the
  # replies of a Pod on the same bridge, above all); built into some kernels, a module in others.
  as_root mkdir -p "$rootfs/etc/systemd/system/containerd.service.d"
  printf '%s\n' '[Service]' '# The lab'"'"'s bridge pod network needs bridged traffic to pass iptables.' \
    'ExecStartPre=-/sbin/modprobe br_netfilter' |
    as_root tee "$rootfs/etc/systemd/system/containerd.service.d/10-lab-br-netfilter.conf" >/dev/null
  if node_host_has_cgroup_v1; then
    # From Kubernetes 1.35 the kubelet refuses to start on cgroup v1 unless its configuration sets
    # failCgroupV1: false (KEP-5573; it then only warns). kind's kubeadm configuration does not set
    # it, and readers' machines mostly have cgroup v2, so the lab sets it in the node image only
    # where the host has cgroup v1: a kubelet drop-in configuration directory (--config-dir).
    log "node-image: this host has cgroup v1: the node's kubelet is configured with failCgroupV1: false"
    as_root mkdir -p "$rootfs$NODE_KUBELET_CONFIG_DIR"
    printf '%s\n' '# Written by the lab (lab/node-image.sh): this host has cgroup v1.' \
      'apiVersion: kubelet.config.k8s.io/v1beta1' 'kind: KubeletConfiguration' 'failCgroupV1: false' |
      as_root tee "$rootfs$NODE_KUBELET_CONFIG_DIR/50-lab-cgroup-v1.conf" >/dev/null
    as_root sed -i "s#^KUBELET_EXTRA_ARGS=.*#& --config-dir=$NODE_KUBELET_CONFIG_DIR#" "$rootfs/etc/default/kubelet"
    grep -q -- "--config-dir=$NODE_KUBELET_CONFIG_DIR" "$rootfs/etc/default/kubelet" ||
      die "node-image: kind's /etc/default/kubelet has changed shape: update node_base_rootfs"
  fi
  if ! node_host_has_sys_resource; then
    # Without CAP_SYS_RESOURCE, runc fails to give a container a lower oom_score_adj than its
    # parent's ("can't get final child's PID from pipe"): containerd must clamp it, as kind's
    # entrypoint does in user namespaces.
    log "node-image: this host lacks CAP_SYS_RESOURCE: the node's containerd restricts oom_score_adj"
    as_root sed -i 's/restrict_oom_score_adj = false/restrict_oom_score_adj = true/' "$rootfs/etc/containerd/config.toml"
  fi
  as_root chroot "$rootfs" sh -euc '
    ctr oci spec \
      | jq ".hooks.createContainer[.hooks.createContainer | length] |= . + {\"path\": \"/kind/bin/mount-product-files.sh\"}" \
      | jq "del(.process.rlimits)" > /etc/containerd/cri-base.json
    find /lib/systemd/system/sysinit.target.wants/ -name systemd-tmpfiles-setup.service -delete
    rm -f /lib/systemd/system/multi-user.target.wants/* /etc/systemd/system/*.wants/* \
      /lib/systemd/system/local-fs.target.wants/* /lib/systemd/system/sockets.target.wants/*udev* \
      /lib/systemd/system/sockets.target.wants/*initctl* /lib/systemd/system/basic.target.wants/*
    echo ReadKMsg=no >> /etc/systemd/journald.conf
    ln -sf /lib/systemd/systemd /sbin/init
    systemctl enable kubelet.service containerd.service undo-mount-hacks.service >/dev/null 2>&1
    systemctl mask systemd-binfmt.service >/dev/null 2>&1
    apt-get clean
    rm -rf /var/lib/apt/lists/* /var/log/*.log /var/cache/debconf/*-old
  '
}

# Step 3: one image per component, FROM the Debian base (kube-proxy adds iptables), saved as
# archives for the node's containerd. Tags must be exactly what kubeadm asks for.
node_component_images() {
  local kubeadm=$LAB_STATE/bin/kubernetes-$KUBERNETES_VERSION/kubeadm
  local -a wanted
  mapfile -t wanted < <("$kubeadm" config images list --kubernetes-version "$KUBERNETES_VERSION")
  local expected=(
    "registry.k8s.io/kube-apiserver:$KUBERNETES_VERSION"
    "registry.k8s.io/kube-controller-manager:$KUBERNETES_VERSION"
    "registry.k8s.io/kube-scheduler:$KUBERNETES_VERSION"
    "registry.k8s.io/kube-proxy:$KUBERNETES_VERSION"
    "registry.k8s.io/coredns/coredns:$COREDNS_VERSION"
    "registry.k8s.io/pause:$PAUSE_VERSION"
    "registry.k8s.io/etcd:${ETCD_VERSION#v}-0"
  )
  [ "${wanted[*]}" = "${expected[*]}" ] ||
    die "kubeadm wants: ${wanted[*]}; versions.env gives: ${expected[*]}"

  local k8s=$LAB_STATE/bin/kubernetes-$KUBERNETES_VERSION
  rm -rf "$NODE_BUILD/images" && mkdir -p "$NODE_BUILD/images"
  node_component_image "registry.k8s.io/kube-apiserver:$KUBERNETES_VERSION" "" "" "$k8s/kube-apiserver"
  node_component_image "registry.k8s.io/kube-controller-manager:$KUBERNETES_VERSION" "" "" \
    "$k8s/kube-controller-manager"
  node_component_image "registry.k8s.io/kube-scheduler:$KUBERNETES_VERSION" "" "" "$k8s/kube-scheduler"
  node_component_image "registry.k8s.io/kube-proxy:$KUBERNETES_VERSION" "iptables conntrack ipset" "" \
    "$k8s/kube-proxy"
  node_component_image "registry.k8s.io/etcd:${ETCD_VERSION#v}-0" "" "" \
    "$LAB_STATE/bin/etcd-$ETCD_VERSION"/{etcd,etcdctl,etcdutl}
  node_component_image "registry.k8s.io/coredns/coredns:$COREDNS_VERSION" "" '["/usr/local/bin/coredns"]' \
    "$LAB_STATE/bin/coredns-$COREDNS_VERSION/coredns"
  node_pause_image "registry.k8s.io/pause:$PAUSE_VERSION"
  node_component_image "docker.io/rancher/local-path-provisioner:$LOCAL_PATH_PROVISIONER_VERSION" "" \
    '["/usr/local/bin/local-path-provisioner"]' \
    "$LAB_STATE/bin/local-path-provisioner-$LOCAL_PATH_PROVISIONER_VERSION/local-path-provisioner"
  # The official image runs the binary as its entrypoint, with the manifest's args.
  node_component_image "registry.k8s.io/metrics-server/metrics-server:$METRICS_SERVER_VERSION" "" \
    '["/usr/local/bin/metrics-server"]' "$LAB_STATE/bin/metrics-server-$METRICS_SERVER_VERSION/metrics-server"
  # Traefik's official image runs the binary as its entrypoint (lab/traefik.yaml gives the args).
  node_component_image "docker.io/library/traefik:$TRAEFIK_VERSION" "" '["/usr/local/bin/traefik"]' \
    "$LAB_STATE/bin/traefik-$TRAEFIK_VERSION/traefik"
  # The storage helper only runs sh, mkdir and rm: the Debian image itself.
  docker save -o "$NODE_BUILD/images/debian.tar" "debian:$DEBIAN_VERSION"
}

#   node_component_image TAG DEBIAN_PACKAGES ENTRYPOINT_JSON BINARY...   (binaries go to /usr/local/bin)
node_component_image() {
  local tag=$1 packages=$2 entrypoint=$3; shift 3
  local context=$NODE_BUILD/context
  rm -rf "$context" && mkdir -p "$context"
  cp "$@" "$context/"
  local binary
  {
    echo "FROM debian:$DEBIAN_VERSION"
    if [ -n "$packages" ]; then
      echo "RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends $packages >/dev/null \\"
      echo "    && rm -rf /var/lib/apt/lists/*"
    fi
    for binary in "$@"; do echo "COPY ${binary##*/} /usr/local/bin/"; done
    [ -n "$entrypoint" ] && echo "ENTRYPOINT $entrypoint"
    echo "LABEL org.opencontainers.image.description=\"Built by the lab from source, on Debian $DEBIAN_VERSION\""
  } > "$context/Dockerfile"
  node_build_and_save "$tag" "$context"
}

# The official pause image is the static binary alone, run as nobody.
node_pause_image() {
  local tag=$1 context=$NODE_BUILD/context
  rm -rf "$context" && mkdir -p "$context"
  cp "$LAB_STATE/bin/pause-$PAUSE_VERSION/pause" "$context/"
  printf '%s\n' 'FROM scratch' 'COPY pause /pause' 'USER 65535:65535' 'ENTRYPOINT ["/pause"]' \
    'LABEL org.opencontainers.image.description="Built by the lab from the Kubernetes source"' \
    > "$context/Dockerfile"
  node_build_and_save "$tag" "$context"
}

# The images only exist inside the node: once saved they leave the engine, so `docker images`
# on the host shows no official-looking names that were built here.
node_build_and_save() {
  local tag=$1 context=$2 archive
  archive=$NODE_BUILD/images/$(echo "$tag" | tr '/:' '__').tar
  docker build -q -t "$tag" "$context" >/dev/null
  docker save -o "$archive" "$tag"
  docker rmi "$tag" >/dev/null
  log "node-image: built $tag ($(du -h "$archive" | cut -f1))"
}

# Step 4: what `kind build node-image` does, by hand: run the base, add the Kubernetes binaries,
# the manifests and the images, commit.
node_assemble() {
  local tag=$1 hash=$2 k8s=$LAB_STATE/bin/kubernetes-$KUBERNETES_VERSION
  local container=lab-node-build base=$NODE_IMAGE_REPO-base:${hash:0:12} cmd
  # A build container left by a failed run is this part's own: replace it.
  docker rm -f -v "$container" >/dev/null 2>&1 || true
  as_root tar -C "$NODE_BUILD/rootfs" -c . | docker import - "$base" >/dev/null
  docker run -d --name "$container" --entrypoint sleep "$base" infinity >/dev/null
  for cmd in kubeadm kubectl; do
    docker cp "$k8s/$cmd" "$container:/usr/bin/$cmd"
  done
  docker cp "$LAB_STATE/bin/kubelet-$KUBERNETES_VERSION/kubelet" "$container:/usr/bin/kubelet"
  docker exec "$container" sh -c "echo $KUBERNETES_VERSION > /kind/version"
  KIND_DIR=$(go_module_dir sigs.k8s.io/kind "$KIND_VERSION") \
  CNI_TEMPLATE=$LAB_DIR/k8s/pod-network.conflist.tmpl \
  PROVISIONER_IMAGE=docker.io/rancher/local-path-provisioner:$LOCAL_PATH_PROVISIONER_VERSION \
  HELPER_IMAGE=docker.io/library/debian:$DEBIAN_VERSION \
    python3 "$LAB_DIR/k8s/node-manifests.py" "$NODE_BUILD/manifests"
  docker cp "$NODE_BUILD/manifests" "$container:/kind/manifests"
  docker cp "$NODE_BUILD/images" "$container:/kind/images"
  # containerd runs only for the import; the images are not unpacked until the node starts them.
  docker exec "$container" bash -euc '
    # On a cgroup v1 host ctr warns at every call that containerd deprecates it: said once above.
    ctr() { command ctr "$@" 2> >(grep -v "support for cgroup v1 is deprecated" >&2 || true); }
    containerd >/var/log/containerd-build.log 2>&1 &
    until ctr version >/dev/null 2>&1; do sleep 0.2; done
    for archive in /kind/images/*.tar; do
      ctr -n k8s.io images import --all-platforms --no-unpack "$archive" >/dev/null
    done
    ctr -n k8s.io images ls -q | grep -v "^sha256:" | while read -r ref; do
      ctr -n k8s.io images label "$ref" io.cri-containerd.pinned=pinned >/dev/null
    done
    ctr -n k8s.io images ls -q | grep -v "^sha256:"
    kill %1 && wait
    rm -rf /kind/images /var/log/containerd-build.log
  ' | sed 's/^/[lab] node-image: imported /' >&2
  docker commit --change 'ENTRYPOINT [ "/usr/local/bin/entrypoint", "/sbin/init" ]' \
    --change 'ENV container=docker' "$container" "$tag-unlabelled" >/dev/null
  # STOPSIGNAL cannot be set by commit: systemd stops on SIGRTMIN+3, as in kind's base image.
  printf '%s\n' "FROM $tag-unlabelled" 'STOPSIGNAL SIGRTMIN+3' "LABEL lab.inputs=$hash" |
    docker build -q -t "$tag" - >/dev/null
  docker rm -f -v "$container" >/dev/null
  docker rmi "$tag-unlabelled" "$base" >/dev/null
}

# Older node images of this lab (other inputs) are dead weight: about 1 GB each. One that a
# cluster still runs on stays until the cluster part has replaced that cluster (it calls this again).
node_remove_older_images() {
  local keep=$1 image
  for image in $(docker images --format '{{.Repository}}:{{.Tag}}' "$NODE_IMAGE_REPO"); do
    [ "$image" = "$keep" ] || docker rmi "$image" >/dev/null 2>&1 || true
  done
}
