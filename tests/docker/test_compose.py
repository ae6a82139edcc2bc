"""The stack of docker/compose.md, brought up from the page's own compose file: the app answers with
counts that come from Redis and MariaDB."""
from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from pytest_docker.plugin import get_docker_services

from tests.harness.lab import lab_env

pytestmark = pytest.mark.docker

COMPOSE_FILE = Path(__file__).resolve().parents[2] / 'snippets/docker/compose/compose.yaml'
APP_PORT = 5000  # the app's port inside its container


@pytest.fixture(scope='module')
def app_url():
    # Its own project name, so it never meets the page's containers; `down -v --rmi local` also removes
    # the volume and the app image the project built. pytest-docker runs `docker compose` with this
    # process's environment: DOCKER_CONFIG is where the lab installs the compose plugin.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv('DOCKER_CONFIG', lab_env()['DOCKER_CONFIG'])
        with get_docker_services('docker compose', str(COMPOSE_FILE), 'compose-demo-test',
                                 ['up --build --wait'], ['down -v --rmi local']) as services:
            yield f'http://127.0.0.1:{services.port_for("app", APP_PORT)}'


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def test_health_checks_both_backends(app_url):
    assert get(f'{app_url}/health') == 'ok\n'


def test_each_visit_counts_in_redis_and_mariadb(app_url):
    assert get(app_url) == 'Hello from Compose! Redis hits: 1, MariaDB visit rows: 1\n'
    assert get(app_url) == 'Hello from Compose! Redis hits: 2, MariaDB visit rows: 2\n'
