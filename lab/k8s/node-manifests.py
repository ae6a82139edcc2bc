"""Writes the node image's default CNI and storage manifests, as `kind build node-image` does.

Usage: node-manifests.py OUT_DIR

Both are derived at build time from the upstream sources in the Go module cache, so no copy of
them lives in this repository:
- default-cni.yaml: kube-router's own manifest for a generic cluster (daemonset/generic-kuberouter.yaml:
  pod routes and network policies, kube-proxy stays), in place of kind's kindnetd, whose module the
  Go module proxy does not serve. The images are in the node, so they are never pulled, and the CNI
  chain gains portmap for hostPort, as kube-router's hostport variant has it.
- default-storage.yaml: kind's local-path-provisioner manifest (pkg/build/nodeimage), pointing at
  rancher's local-path-provisioner image and a Debian helper image.
Environment: KUBE_ROUTER_DIR, KIND_DIR (module folders), KUBE_ROUTER_IMAGE, PROVISIONER_IMAGE,
HELPER_IMAGE.
"""

import json
import os
import re
import sys
from pathlib import Path

import yaml

PORTMAP = {"type": "portmap", "capabilities": {"snat": True, "portMappings": True}}


class BlockStyleDumper(yaml.SafeDumper):
    """Writes multi-line strings (the JSON files in the ConfigMap) as readable `|` blocks."""


BlockStyleDumper.add_representer(
    str,
    lambda dumper, text: dumper.represent_scalar(
        "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None
    ),
)


def kube_router_manifest(kube_router_dir: Path, image: str) -> str:
    docs = list(yaml.safe_load_all((kube_router_dir / "daemonset/generic-kuberouter.yaml").read_text()))
    for doc in docs:
        if doc["kind"] == "ConfigMap":
            cni_conf = json.loads(doc["data"]["cni-conf.json"])
            cni_conf["plugins"].append(PORTMAP)
            doc["data"]["cni-conf.json"] = json.dumps(cni_conf, indent=2) + "\n"
        if doc["kind"] == "DaemonSet":
            pod = doc["spec"]["template"]["spec"]
            for container in pod["initContainers"] + pod["containers"]:
                container["image"] = image
                container["imagePullPolicy"] = "IfNotPresent"
    return yaml.dump_all(docs, Dumper=BlockStyleDumper, sort_keys=False)


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
    (out / "default-cni.yaml").write_text(
        kube_router_manifest(Path(env["KUBE_ROUTER_DIR"]), env["KUBE_ROUTER_IMAGE"])
    )
    (out / "default-storage.yaml").write_text(
        storage_manifest(Path(env["KIND_DIR"]), env["PROVISIONER_IMAGE"], env["HELPER_IMAGE"])
    )


if __name__ == "__main__":
    main()
