"""kubernetes/services.md reaches a NodePort Service from the host through the port that the lab's kind
config (the one readers see on the install page) maps to the host. That port exists once per machine,
so only one Service in all the snippets may claim it: two pages using it would fail each other."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.static

REPO = Path(__file__).resolve().parents[2]
KIND_CONFIG = REPO / 'snippets/kubernetes/install/kind-config.yaml'
NODEPORT_SERVICE = REPO / 'snippets/kubernetes/services/nodeport.yaml'


def _node_ports(path: Path) -> set[int]:
    ports = set()
    for doc in yaml.safe_load_all(path.read_text(encoding='utf-8')):
        if isinstance(doc, dict) and doc.get('kind') == 'Service':
            ports |= {p['nodePort'] for p in doc.get('spec', {}).get('ports', []) if 'nodePort' in p}
    return ports


def test_the_page_node_port_is_mapped_to_the_host():
    config = yaml.safe_load(KIND_CONFIG.read_text(encoding='utf-8'))
    mapped = {m['containerPort']: m for node in config['nodes'] for m in node.get('extraPortMappings', [])}
    for port in _node_ports(NODEPORT_SERVICE):
        assert port in mapped, f'{NODEPORT_SERVICE.name}: nodePort {port} is not in the extraPortMappings of {KIND_CONFIG.name}'
        assert mapped[port]['hostPort'] == port, 'the page curls localhost on the same port number'


def test_only_one_service_claims_a_mapped_host_port():
    config = yaml.safe_load(KIND_CONFIG.read_text(encoding='utf-8'))
    mapped = {m['containerPort'] for node in config['nodes'] for m in node.get('extraPortMappings', [])}
    claims: dict[int, list[str]] = {}
    for path in sorted((REPO / 'snippets').rglob('*.y*ml')):
        try:
            ports = _node_ports(path)
        except yaml.YAMLError:
            continue   # not YAML the linters accept; they report it
        for port in ports & mapped:
            claims.setdefault(port, []).append(str(path.relative_to(REPO)))
    shared = {port: paths for port, paths in claims.items() if len(paths) > 1}
    assert not shared, f'host ports claimed by more than one snippet: {shared}'
