"""Writes the node image's default CNI and storage manifests, as `kind build node-image` does.

Usage: node-manifests.py OUT_DIR

- default-cni.yaml: kind applies it in place of its kindnetd manifest (whose module the Go module
  proxy does not serve). The lab's pod network needs no object in the cluster: the node's containerd
  writes the CNI configuration from lab/k8s/pod-network.conflist.tmpl (which says why). kind insists
  on applying something, so this is one ConfigMap, kube-system/lab-pod-network, that shows the
  template to whoever looks at the cluster.
- default-storage.yaml: kind's local-path-provisioner manifest (pkg/build/nodeimage), derived at
  build time from kind's source in the Go module cache (no copy lives in this repository), pointing
  at rancher's local-path-provisioner image and a Debian helper image.
Environment: CNI_TEMPLATE (the template's path), KIND_DIR (kind's module folder), PROVISIONER_IMAGE,
HELPER_IMAGE.
"""

import os
import re
import sys
from pathlib import Path

import yaml


class BlockStyleDumper(yaml.SafeDumper):
    """Writes multi-line strings (the JSON files in the ConfigMap) as readable `|` blocks."""


BlockStyleDumper.add_representer(
    str,
    lambda dumper, text: dumper.represent_scalar(
        "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None
    ),
)


def pod_network_manifest(template: Path) -> str:
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "lab-pod-network", "namespace": "kube-system"},
        "data": {template.name: template.read_text()},
    }
    return yaml.dump(config_map, Dumper=BlockStyleDumper, sort_keys=False)


def storage_manifest(kind_dir: Path, provisioner_image: str, helper_image: str) -> str:
    source = (kind_dir / "pkg/build/nodeimage/const_storage.go").read_text()
    manifest = re.search(r"const defaultStorageManifest = `(.*?)\n`\n", source, re.S).group(1)
    manifest = manifest.replace("` + storageProvisionerImage + `", provisioner_image)
    manifest = manifest.replace("` + storageHelperImage + `", helper_image)
    if "`" in manifest:
        sys.exit("kind's storage manifest has changed shape: update node-manifests.py")
    return manifest


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    env = os.environ
    (out / "default-cni.yaml").write_text(pod_network_manifest(Path(env["CNI_TEMPLATE"])))
    (out / "default-storage.yaml").write_text(
        storage_manifest(Path(env["KIND_DIR"]), env["PROVISIONER_IMAGE"], env["HELPER_IMAGE"])
    )


if __name__ == "__main__":
    main()
