"""The lab's offline stand-ins tell the truth: the table on "How this site is tested"
(its rows are lab/images/stand-ins.md) matches the images, a plain `docker pull` of each official name
goes through the lab registry, and the privileged-container workaround is on only where needed.

When Debian updates a package, refresh the measured columns (version, size) of the table from the
running images with `python -m tests.docker.test_lab_images`.
"""
from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.harness.includes import REPO
from tests.harness.lab import lab_env

pytestmark = pytest.mark.docker

TABLE = REPO / 'lab/images/stand-ins.md'
REGISTRY_CONTAINER = 'lab-registry'
LAB_MIRROR = 'http://127.0.0.1:5001/'
CAP_NET_ADMIN, CAP_SYS_ADMIN = 12, 21
# Image sizes change a little with every Debian update; a bigger change means the table is stale.
SIZE_TOLERANCE = 0.10

# How each image reports the version of the program it is named after.
PROGRAM_VERSION = {
    'debian': (['cat', '/etc/debian_version'], r'^(\S+)'),
    'registry': (['registry', '--version'], r'distribution v?(\S+)'),
    'nginx': (['nginx', '-v'], r'nginx/(\S+)'),
    'redis': (['redis-server', '--version'], r'v=(\S+)'),
    'mariadb': (['mariadbd', '--version'], r'Ver (\d[^-\s]*)'),
}


@dataclass(frozen=True)
class StandIn:
    """A row of the table; the pages give the headings."""
    image: str
    package: str
    version: str
    size: str
    command: str

    @property
    def name(self) -> str:
        return self.image.split(':')[0]

    @property
    def tag(self) -> str:
        return self.image.split(':')[1]


def stand_ins() -> list[StandIn]:
    """The table's rows (image, Debian package, package version, size, command), without backticks."""
    return [StandIn(*(cell.strip().strip('`') for cell in line.strip().strip('|').split('|')))
            for line in TABLE.read_text(encoding='utf-8').splitlines()]


def lab_images() -> list[str]:
    """What lab/images.sh provides, with tags from versions.env."""
    return subprocess.run(['bash', '-c', 'source versions.env && source lab/images.sh && lab_images'],
                          cwd=REPO, capture_output=True, text=True, check=True).stdout.split()


def docker(*args: str) -> str:
    result = subprocess.run(['docker', *args], env=lab_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f'docker {shlex.join(args)} failed:\n{result.stdout}{result.stderr}'
    return result.stdout + result.stderr


def run_in(image: str, *command: str) -> str:
    return docker('run', '--rm', '--entrypoint', command[0], image, *command[1:])


def package_version(stand_in: StandIn) -> str:
    return run_in(stand_in.image, 'dpkg-query', '--show', '--showformat=${Version}', stand_in.package)


def image_size(image: str) -> str:
    return f'{round(int(docker("image", "inspect", "--format", "{{.Size}}", image)) / 1e6)} MB'


def megabytes(size: str) -> int:
    return int(size.removesuffix(' MB'))



def test_table_lists_the_lab_images():
    assert [s.image for s in stand_ins()] == lab_images()


@pytest.mark.parametrize('stand_in', stand_ins(), ids=lambda s: s.image)
class TestStandIn:
    @pytest.fixture(autouse=True)
    def pulled(self, stand_in):
        """A page may have removed the image (`docker rmi`): pull it back, as a reader would."""
        docker('pull', '--quiet', stand_in.image)

    def test_package_version_is_the_one_in_the_table(self, stand_in):
        assert package_version(stand_in) == stand_in.version, \
            'stale table: run `python -m tests.docker.test_lab_images`'

    def test_program_version_matches_the_official_tag(self, stand_in):
        command, pattern = PROGRAM_VERSION[stand_in.name]
        output = run_in(stand_in.image, *command)
        version = re.search(pattern, output, re.MULTILINE)
        assert version, f'{shlex.join(command)} printed {output!r}'
        assert version[1].startswith(f'{stand_in.tag}.'), f'{stand_in.image} runs version {version[1]}'

    def test_size_is_close_to_the_table(self, stand_in):
        measured, claimed = megabytes(image_size(stand_in.image)), megabytes(stand_in.size)
        assert abs(measured - claimed) <= SIZE_TOLERANCE * claimed, \
            f'{stand_in.image} is {measured} MB, the table says {claimed} MB: ' \
            'run `python -m tests.docker.test_lab_images`'

    def test_command_is_the_one_in_the_table(self, stand_in):
        config = json.loads(docker('image', 'inspect', '--format', '{{json .Config}}', stand_in.image))
        assert shlex.join((config.get('Entrypoint') or []) + (config.get('Cmd') or [])) == stand_in.command

    def test_plain_pull_goes_through_the_lab_registry(self, stand_in):
        assert LAB_MIRROR in docker('info', '--format', '{{json .RegistryConfig.Mirrors}}')
        since = f'{time.time() - 1:.3f}'
        docker('pull', '--quiet', stand_in.image)
        registry_log = docker('logs', '--since', since, REGISTRY_CONTAINER)
        # containerd adds the registry the name belongs to as a query: ?ns=docker.io
        assert re.search(rf'/v2/library/{stand_in.name}/manifests/{re.escape(stand_in.tag)}[ ?]', registry_log)


def bounding_set(status: str) -> int:
    """The capability bounding set from a /proc/PID/status text."""
    return int(re.search(r'^CapBnd:\s*([0-9a-f]+)$', status, re.MULTILINE)[1], 16)


def has_capability(bounding: int, capability: int) -> bool:
    return bool(bounding >> capability & 1)


def test_privileged_containers_run_with_admin_capabilities():
    debian = next(s.image for s in stand_ins() if s.name == 'debian')
    container = bounding_set(docker('run', '--rm', '--privileged', debian, 'cat', '/proc/self/status'))
    assert has_capability(container, CAP_SYS_ADMIN) and has_capability(container, CAP_NET_ADMIN)


def update_table() -> None:
    """Rewrite the measured columns of the table from the running images."""
    rows = []
    for s in stand_ins():
        cells = [f'`{s.image}`', f'`{s.package}`', f'`{package_version(s)}`', image_size(s.image), f'`{s.command}`']
        rows.append(f'| {" | ".join(cells)} |\n')
    TABLE.write_text(''.join(rows), encoding='utf-8')
    print(f'updated {TABLE.relative_to(REPO)}', file=sys.stderr)


if __name__ == '__main__':
    update_table()
