"""The recording proxy: what a page's docker commands create is recorded, and only that is removed."""
from __future__ import annotations

import subprocess

import pytest

from tests.harness import docker_scope
from tests.harness.lab import lab_env


def sh(command: str, env: dict[str, str]) -> str:
    return subprocess.run(command, shell=True, env=env, check=True, capture_output=True, text=True).stdout


@pytest.mark.docker
def test_the_proxy_records_what_commands_create_and_cleanup_removes_only_that():
    recorder = docker_scope.Recorder(docker_scope.engine_socket(lab_env()))
    with docker_scope.EngineProxy(recorder) as proxy:
        env = dict(lab_env(), DOCKER_HOST=proxy.docker_host)
        sh('docker create --name runner-selftest-proxy -v runner-selftest-proxy:/data debian:12 true', env)
        built = sh('printf "FROM debian:12\\nLABEL runner-selftest=proxy\\n" | docker build -q -', env).strip()
        recorder.add_build_output(built)   # what the runner does with every command's output
        # Pulling what is already here creates nothing (whether or not a registry answers).
        subprocess.run(['docker', 'pull', 'debian:12'], env=env, capture_output=True)
    assert len(recorder.created.containers) == 1
    assert recorder.created.volumes == {'runner-selftest-proxy'}
    assert recorder.created.images == {built}

    cleanup = docker_scope.clean_up(recorder.created, lab_env())
    assert cleanup.leaked == {'containers': ['runner-selftest-proxy'], 'networks': [],
                              'volumes': ['runner-selftest-proxy']}
    assert cleanup.errors == []
    assert docker_scope.docker('ps', '--all', '--quiet', '--filter', 'name=runner-selftest-proxy') == ''
    assert docker_scope.docker('image', 'ls', '--quiet', '--filter', 'label=runner-selftest=proxy') == ''
    assert docker_scope.docker('image', 'ls', '--quiet', 'debian:12') != ''
