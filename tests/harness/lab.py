"""The lab as the tests see it: the environment `lab/lab env` exports."""
from __future__ import annotations

import functools
import os
import subprocess

from tests.harness.includes import REPO

# Set by bash itself when it prints its environment; not part of what the lab exports.
_SHELL_VARIABLES = {'_', 'SHLVL', 'PWD', 'OLDPWD'}


def lab_env() -> dict[str, str]:
    """The current environment plus the lab's exports (LAB_STATE, KUBECONFIG_LAB, ...)."""
    return {**os.environ, **_lab_exports()}


@functools.cache
def _lab_exports() -> dict[str, str]:
    printed = subprocess.run(['bash', '-c', 'eval "$("$0" env)" && env -0', str(REPO / 'lab' / 'lab')],
                             capture_output=True, check=True, timeout=60).stdout.decode()
    after = dict(item.split('=', 1) for item in printed.split('\0') if '=' in item)
    return {name: value for name, value in after.items()
            if os.environ.get(name) != value and name not in _SHELL_VARIABLES}


def lab_path_dirs() -> list[str]:
    """The directories `lab/lab env` adds to PATH (its LAB_PATH), whether or not they exist yet.

    Taken from LAB_PATH rather than from a diff of PATH: a directory already on the caller's PATH
    (after `eval "$(lab/lab env)"` in the user's shell) is still one of the lab's.
    """
    return [d for d in lab_env().get('LAB_PATH', '').split(':') if d]
