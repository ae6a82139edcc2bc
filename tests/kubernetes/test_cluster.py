"""The lab's kind cluster (lab/cluster.sh): nodes Ready, the control plane running, and a Docker Hub
image pulled by the nodes' containerd (offline: through the registry mirror) into a namespace that
enforces the `restricted` Pod Security Standard."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from kubernetes import client, config, watch

from tests.harness.lab import lab_env
from tests.static.tools import versions

pytestmark = pytest.mark.kind

CONTROL_PLANE = ('etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy', 'coredns')
POD_TIMEOUT = 180  # seconds: the first pull of an image on a cold node
PULL_FAILURES = ('ErrImagePull', 'ImagePullBackOff')


@pytest.fixture(scope='module')
def core() -> client.CoreV1Api:
    kubeconfig = Path(lab_env()['KUBECONFIG_LAB'])
    return client.CoreV1Api(config.new_client_from_config(str(kubeconfig)))


@pytest.fixture
def restricted_namespace(core):
    name = f'lab-cluster-test-{uuid.uuid4().hex[:8]}'
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(
        name=name, labels={'pod-security.kubernetes.io/enforce': 'restricted'})))
    yield name
    core.delete_namespace(name)
    # Wait for the deletion to finish, so that the session's leak check does not see it.
    selector = f'metadata.name={name}'
    listed = core.list_namespace(field_selector=selector)
    if listed.items:
        for event in watch.Watch().stream(core.list_namespace, field_selector=selector,
                                          resource_version=listed.metadata.resource_version,
                                          timeout_seconds=POD_TIMEOUT):
            if event['type'] == 'DELETED':
                return
        pytest.fail(f'namespace {name} was not deleted within {POD_TIMEOUT} s')


def test_every_node_is_ready(core):
    nodes = core.list_node().items
    assert nodes
    for node in nodes:
        ready = {c.type: c.status for c in node.status.conditions}['Ready']
        assert ready == 'True', f'node {node.metadata.name} is not Ready'


def test_control_plane_pods_run(core):
    pods = core.list_namespaced_pod('kube-system').items
    for component in CONTROL_PLANE:
        matching = [p for p in pods if p.metadata.name.startswith(f'{component}-')]
        assert matching, f'no {component} pod in kube-system'
        for pod in matching:
            assert pod.status.phase == 'Running', f'{pod.metadata.name} is {pod.status.phase}'


def restricted_pod(image: str) -> client.V1Pod:
    """A pod the `restricted` standard admits: non-root, no privilege escalation, no capabilities,
    the runtime's default seccomp profile."""
    return client.V1Pod(
        metadata=client.V1ObjectMeta(name='nginx-version'),
        spec=client.V1PodSpec(
            restart_policy='Never',
            security_context=client.V1PodSecurityContext(
                run_as_non_root=True, run_as_user=101,
                seccomp_profile=client.V1SeccompProfile(type='RuntimeDefault')),
            containers=[client.V1Container(
                name='nginx', image=image, command=['nginx', '-v'],
                security_context=client.V1SecurityContext(
                    allow_privilege_escalation=False,
                    capabilities=client.V1Capabilities(drop=['ALL'])))],
        ))


def test_docker_hub_image_runs_in_restricted_namespace(core, restricted_namespace):
    image = f'nginx:{versions()["NGINX_TAG"]}'
    core.create_namespaced_pod(restricted_namespace, restricted_pod(image))
    state = None
    for event in watch.Watch().stream(core.list_namespaced_pod, restricted_namespace,
                                      field_selector='metadata.name=nginx-version',
                                      timeout_seconds=POD_TIMEOUT):
        status = event['object'].status
        waiting = [c.state.waiting.reason for c in status.container_statuses or [] if c.state.waiting]
        state = waiting[0] if waiting else status.phase
        if state in ('Succeeded', 'Failed') + PULL_FAILURES:
            break
    assert state == 'Succeeded', f'pod from {image} ended as {state}'
    log = core.read_namespaced_pod_log('nginx-version', restricted_namespace)
    assert log.startswith('nginx version: nginx/'), log
