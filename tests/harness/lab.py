"""The lab as the tests see it: the environment `lab/lab env` exports."""
from __future__ import annotations

import functools
import os
import subprocess

from tests.harness.includes import REPO

# Set by bash itself when it prints its environment; not part of what the lab exports.
_SHELL_VARIABLES = {'_', 'SHLVL', 'PWD', 'OLDPWD'}


@functools.cache
def lab_env() -> dict[str, str]:
    """os.environ plus the lab's exports (LAB_MODE, LAB_STATE, KUBECONFIG_LAB, ...)."""
    printed = subprocess.run(['bash', '-c', 'eval "$("$0" env)" && env -0', str(REPO / 'lab' / 'lab')],
                             capture_output=True, check=True, timeout=60).stdout.decode()
    env = dict(item.split('=', 1) for item in printed.split('\0') if '=' in item)
    for name in _SHELL_VARIABLES:
        env.pop(name, None)
        if name in os.environ:
            env[name] = os.environ[name]
    return env
