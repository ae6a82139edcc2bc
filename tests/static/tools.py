"""The checkers the static tier runs, and where they come from.

shellcheck and hadolint are PyPI wheels in the venv. actionlint and the Compose specification's
schema come from the Go module proxy, at the versions named in versions.env, so they need Go.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
# Built tools outlive the clone, like the lab's artefacts (lab/lab keeps them in LAB_STATE too).
CACHE = Path(os.environ.get('LAB_STATE') or
             Path(os.environ.get('XDG_CACHE_HOME') or Path.home() / '.cache') / 'docker-k8s-lab') / 'tools'


class MissingPrerequisite(Exception):
    """A checker cannot be set up on this machine."""


def versions() -> dict[str, str]:
    """The NAME=value lines of versions.env."""
    found = {}
    for line in (REPO / 'versions.env').read_text(encoding='utf-8').splitlines():
        m = re.match(r'^([A-Z][A-Z0-9_]*)=(.*)$', line)
        if m:
            found[m.group(1)] = m.group(2)
    return found


def venv_tool(name: str) -> Path:
    path = VENV_BIN / name
    if not path.is_file():
        raise MissingPrerequisite(f'{name} is not in {VENV_BIN}: install requirements.txt (./dev does)')
    return path


def _go(*args: str, **env: str) -> str:
    go = shutil.which('go')
    if go is None:
        raise MissingPrerequisite('Go is not installed: it fetches actionlint and the Compose schema '
                                  'from the Go module proxy')
    # The toolchain pinned in versions.env, as the lab builds with (the go command fetches it from
    # the module proxy): some modules (compose v5) need a newer Go than a machine may have.
    toolchain = {'GOTOOLCHAIN': f'go{versions()["GO_VERSION"]}'}
    run = subprocess.run([go, *args], capture_output=True, text=True, cwd=CACHE,
                         env={**os.environ, **toolchain, **env})
    if run.returncode != 0:
        raise MissingPrerequisite(f'go {" ".join(args)} failed:\n{run.stderr}')
    return run.stdout


def actionlint() -> Path:
    """actionlint built from its Go module (its PyPI wheel downloads the binary from GitHub)."""
    version = versions()['ACTIONLINT_VERSION']
    binary = CACHE / f'actionlint-{version}' / 'actionlint'
    if not binary.is_file():
        CACHE.mkdir(parents=True, exist_ok=True)
        _go('install', f'github.com/rhysd/actionlint/cmd/actionlint@{version}', GOBIN=str(binary.parent))
    return binary


def compose_schema() -> Path:
    """The Compose specification's JSON schema, from the compose-go module that docker compose
    (at COMPOSE_VERSION) requires."""
    CACHE.mkdir(parents=True, exist_ok=True)
    compose = json.loads(_go('list', '-m', '-json', f'github.com/docker/compose/v5@{versions()["COMPOSE_VERSION"]}'))
    go_mod = Path(compose['GoMod']).read_text(encoding='utf-8')
    m = re.search(r'^\s*(github\.com/compose-spec/compose-go/v2) (v\S+)', go_mod, re.MULTILINE)
    if m is None:
        raise MissingPrerequisite(f'{compose["GoMod"]} requires no compose-go/v2')
    module = json.loads(_go('mod', 'download', '-json', f'{m.group(1)}@{m.group(2)}'))
    return Path(module['Dir']) / 'schema' / 'compose-spec.json'


def gateway_api_crds() -> Path:
    """The standard-channel Gateway API CRDs, from the sigs.k8s.io/gateway-api module that Traefik (at
    TRAEFIK_VERSION, the lab's controller) requires: the ones the lab installs (lab/cluster.sh)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    traefik = json.loads(_go('list', '-m', '-json', f'github.com/traefik/traefik/v3@{versions()["TRAEFIK_VERSION"]}'))
    m = re.search(r'^\s*sigs\.k8s\.io/gateway-api (v\S+)', Path(traefik['GoMod']).read_text(encoding='utf-8'),
                  re.MULTILINE)
    if m is None:
        raise MissingPrerequisite(f'{traefik["GoMod"]} requires no sigs.k8s.io/gateway-api')
    module = json.loads(_go('mod', 'download', '-json', f'sigs.k8s.io/gateway-api@{m.group(1)}'))
    return Path(module['Dir']) / 'config' / 'crd' / 'standard'
