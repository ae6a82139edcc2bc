"""The Kubernetes scope of a page: its own namespace and kubeconfig, and what it created cluster-wide."""
from __future__ import annotations

import logging
import re
from datetime import datetime
import shutil
import tempfile
from pathlib import Path

import yaml
from kubernetes import client, config, watch
from kubernetes.client.exceptions import ApiException
from kubernetes.dynamic import DynamicClient
from kubernetes.dynamic.discovery import EagerDiscoverer
from kubernetes.dynamic.resource import ResourceList

log = logging.getLogger('harness.kube')

MANAGED_BY = ('app.kubernetes.io/managed-by', 'docker-k8s-lab-page-runner')
POD_SECURITY = 'pod-security.kubernetes.io/enforce'
# Never touched, whatever a page does: the cluster's own nodes.
_UNTOUCHABLE_KINDS = {'Node'}
_DELETE_TIMEOUT = 300  # seconds; a namespace goes only when everything in it has gone

ObjectKey = tuple[str, str, str]   # (apiVersion, kind, name)
# Field managers of the commands a reader types (kubectl, kubectl-create, kubectl-client-side-apply,
# ...): an object one of them wrote and no other object owns was made by a page's commands.
READER_MANAGER_PREFIX = 'kubectl'


def namespace_for(topic: Path) -> str:
    """page-<section>-<topic>, a valid namespace name."""
    slug = re.sub(r'[^a-z0-9]+', '-', str(topic).lower()).strip('-')
    return f'page-{slug}'[:63].rstrip('-')


def unreachable(kubeconfig: Path) -> str | None:
    try:
        client.VersionApi(config.new_client_from_config(str(kubeconfig))).get_code(_request_timeout=10)
    except Exception as error:  # any failure means the same thing here: no cluster to test against
        return f'the kind cluster in {kubeconfig} is not answering ({type(error).__name__}: {error})'
    return None


def private_kubeconfig(base: Path, dest: Path, namespace: str) -> Path:
    """A copy of the lab's kubeconfig whose current context uses the page's namespace."""
    kubeconfig = yaml.safe_load(base.read_text())
    current = kubeconfig['current-context']
    for context in kubeconfig['contexts']:
        if context['name'] == current:
            context['context']['namespace'] = namespace
    dest.write_text(yaml.safe_dump(kubeconfig))
    dest.chmod(0o600)
    return dest


class Cluster:
    def __init__(self, kubeconfig: Path):
        self.api = config.new_client_from_config(str(kubeconfig))
        self.core = client.CoreV1Api(self.api)
        self._cache_dir = Path(tempfile.mkdtemp(prefix='kube-discovery-'))
        self._dynamic: DynamicClient | None = None

    def close(self) -> None:
        shutil.rmtree(self._cache_dir, ignore_errors=True)

    def cluster_objects(self) -> set[ObjectKey]:
        """Every cluster-scoped object that can be listed and deleted."""
        found = set()
        for resource in self._resources(namespaced=False):
            for item in resource.get().items:
                found.add((resource.group_version, resource.kind, item.metadata.name))
        return found

    def namespaced_by_readers(self, namespace: str) -> list[tuple[str, str]]:
        """(kind, name) of the objects in the namespace that a reader's command made and nothing owns."""
        found = []
        for resource in self._resources(namespaced=True):
            for item in resource.get(namespace=namespace).items:
                if _by_reader(item):
                    found.append((resource.kind, item.metadata.name))
        return sorted(found)

    def created_by_readers(self, since: datetime) -> set[ObjectKey]:
        """Cluster-scoped objects a reader's command made at or after since."""
        found = set()
        for resource in self._resources(namespaced=False):
            for item in resource.get().items:
                created = datetime.fromisoformat(item.metadata.creationTimestamp.replace('Z', '+00:00'))
                if created >= since and _by_reader(item):
                    found.add((resource.group_version, resource.kind, item.metadata.name))
        return found

    def remove(self, objects: set[ObjectKey]) -> list[str]:
        """Delete the objects (already gone is fine); returns the errors."""
        errors = []
        for api_version, kind, name in sorted(objects):
            resource = self._dynamic.resources.get(api_version=api_version, kind=kind)
            try:
                resource.delete(name=name, propagation_policy='Background')
            except ApiException as error:
                if error.status != 404:
                    errors.append(f'{kind} {name}: {error.reason}')
        return errors

    def create_namespace(self, name: str, pod_security: str) -> None:
        self.delete_namespace(name)   # what an interrupted run left
        self.core.create_namespace({'metadata': {'name': name, 'labels': {
            POD_SECURITY: pod_security, MANAGED_BY[0]: MANAGED_BY[1]}}})

    def delete_namespace(self, name: str) -> None:
        """Delete the namespace and wait until it is gone."""
        try:
            self.core.delete_namespace(name)
        except ApiException as error:
            if error.status == 404:
                return
            raise
        listed = self.core.list_namespace(field_selector=f'metadata.name={name}')
        if not listed.items:
            return
        stream = watch.Watch().stream(self.core.list_namespace, field_selector=f'metadata.name={name}',
                                      resource_version=listed.metadata.resource_version,
                                      timeout_seconds=_DELETE_TIMEOUT)
        for event in stream:
            if event['type'] == 'DELETED':
                return
        raise TimeoutError(f'namespace {name} still exists {_DELETE_TIMEOUT} s after its deletion')

    def managed_namespaces(self) -> list[str]:
        listed = self.core.list_namespace(label_selector=f'{MANAGED_BY[0]}={MANAGED_BY[1]}')
        return [ns.metadata.name for ns in listed.items]

    def _resources(self, namespaced: bool):
        """The kinds that can be listed and deleted, found by API discovery.

        Discovery runs again each time, so kinds a page added (CRDs) are seen too.
        """
        if self._dynamic is None:
            self._dynamic = DynamicClient(self.api, cache_file=str(self._cache_dir / 'discovery.json'),
                                          discoverer=EagerDiscoverer)
        else:
            self._dynamic.resources.invalidate_cache()
        for resource in self._dynamic.resources.search():
            if (isinstance(resource, ResourceList) or not resource.preferred or resource.namespaced != namespaced
                    or resource.kind in _UNTOUCHABLE_KINDS
                    or not {'list', 'delete'} <= set(resource.verbs or ())):
                continue
            yield resource


def _by_reader(item) -> bool:
    metadata = item.metadata
    if metadata.ownerReferences:
        return False
    return any((entry.manager or '').startswith(READER_MANAGER_PREFIX) for entry in metadata.managedFields or ())
