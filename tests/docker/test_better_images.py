"""What docker/better-images.md cannot show by running: the arm64 half of its multi-platform build.

The page builds greet/Dockerfile.multiarch for linux/amd64 and linux/arm64 on an amd64 machine without
emulation, and can only run the amd64 program. Here both programs are taken out of the build
(`--output type=local`, no image is made) and their ELF headers read: each is a statically linked
program for its own CPU.
"""
from __future__ import annotations

import struct
import subprocess
from pathlib import Path

import pytest

from tests.harness.includes import REPO
from tests.harness.lab import lab_env

pytestmark = pytest.mark.docker

GREET = REPO / 'snippets/docker/better-images/greet'
# e_machine of the ELF header: the CPU a program is compiled for
MACHINES = {'linux/amd64': 62, 'linux/arm64': 183}   # EM_X86_64, EM_AARCH64
PT_INTERP = 3   # a program header naming a dynamic loader: absent from a static program


@pytest.fixture(scope='module')
def programs(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp('greet')
    subprocess.run(['docker', 'build', '--quiet', '--platform', ','.join(MACHINES),
                    '--file', str(GREET / 'Dockerfile.multiarch'), '--output', f'type=local,dest={out}',
                    str(GREET)], env=lab_env(), check=True, capture_output=True, timeout=900)
    return out


def elf_header(program: Path) -> tuple[int, list[int]]:
    """(e_machine, the p_type of each program header) of a 64-bit little-endian ELF file."""
    data = program.read_bytes()
    assert data[:4] == b'\x7fELF' and data[4] == 2 and data[5] == 1, f'{program} is not a 64-bit LE ELF'
    machine = struct.unpack_from('<H', data, 18)[0]
    phoff = struct.unpack_from('<Q', data, 32)[0]
    phentsize, phnum = struct.unpack_from('<HH', data, 54)
    types = [struct.unpack_from('<I', data, phoff + i * phentsize)[0] for i in range(phnum)]
    return machine, types


@pytest.mark.parametrize('platform', MACHINES)
def test_each_platform_gets_a_static_program_for_its_cpu(programs, platform):
    # With several platforms, the local exporter writes one folder per platform: linux_amd64, ...
    machine, types = elf_header(programs / platform.replace('/', '_') / 'greet')
    assert machine == MACHINES[platform]
    assert PT_INTERP not in types
