"""Writes the node image's default CNI and storage manifests, as `kind build node-image` does.

Usage: node-manifests.py OUT_DIR

Both are derived at build time from the upstream sources in the Go module cache, so no copy of
them lives in this repository:
- default-cni.yaml: flannel's own manifest (Documentation/kube-flannel.yml), in place of kind's
  kindnetd, whose module the Go module proxy does not serve. The `flannel` CNI plugin is already in
  the node image, and the pod network is templated by kind from the cluster's podSubnet.
- default-storage.yaml: kind's local-path-provisioner manifest (pkg/build/nodeimage), pointing at
  rancher's local-path-provisioner image and a Debian helper image.
Environment: FLANNEL_DIR, KIND_DIR (module folders), FLANNEL_IMAGE, PROVISIONER_IMAGE, HELPER_IMAGE.
"""

import json
import os
import re
import sys
from pathlib import Path

import yaml

# kind templates the manifest (Go text/template) only when it contains this sentence.
KIND_TEMPLATE_MARKER = "# would you kindly template this file\n"
# The flannel plugin built from the CNI project's plugins v0.9 speaks CNI spec versions up to 0.4.0.
CNI_SPEC_VERSION = "0.4.0"


class BlockStyleDumper(yaml.SafeDumper):
    """Writes multi-line strings (the JSON files in the ConfigMap) as readable `|` blocks."""


BlockStyleDumper.add_representer(
    str,
    lambda dumper, text: dumper.represent_scalar(
        "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None
    ),
)


def flannel_manifest(flannel_dir: Path, image: str) -> str:
    docs = list(yaml.safe_load_all((flannel_dir / "Documentation/kube-flannel.yml").read_text()))
    for doc in docs:
        if doc["kind"] == "ConfigMap":
            cni_conf = json.loads(doc["data"]["cni-conf.json"])
            cni_conf["cniVersion"] = CNI_SPEC_VERSION
            doc["data"]["cni-conf.json"] = json.dumps(cni_conf, indent=2) + "\n"
            net_conf = json.loads(doc["data"]["net-conf.json"])
            net_conf["Network"] = "{{ .PodSubnet }}"
            doc["data"]["net-conf.json"] = json.dumps(net_conf, indent=2) + "\n"
        if doc["kind"] == "DaemonSet":
            pod = doc["spec"]["template"]["spec"]
            # The plugin is part of the node image: no init container copies it in.
            pod["initContainers"] = [c for c in pod["initContainers"] if c["name"] != "install-cni-plugin"]
            pod["volumes"] = [v for v in pod["volumes"] if v["name"] != "cni-plugin"]
            for container in pod["initContainers"] + pod["containers"]:
                container["image"] = image
    return KIND_TEMPLATE_MARKER + yaml.dump_all(docs, Dumper=BlockStyleDumper, sort_keys=False)


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
    (out / "default-cni.yaml").write_text(flannel_manifest(Path(env["FLANNEL_DIR"]), env["FLANNEL_IMAGE"]))
    (out / "default-storage.yaml").write_text(
        storage_manifest(Path(env["KIND_DIR"]), env["PROVISIONER_IMAGE"], env["HELPER_IMAGE"])
    )


if __name__ == "__main__":
    main()
