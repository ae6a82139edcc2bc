"""The CI policy shared by every tier: a missing prerequisite skips on a laptop and fails in CI.

pytest_runtest_setup (tests/harness/runner.py) applies it to every test marked docker, kind or
browser; a test may also call require() itself.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.harness.lab import lab_env

TIERS = ('docker', 'kind', 'browser')
CHROMIUM = ('chromium', 'chromium-browser')


def in_ci() -> bool:
    return os.environ.get('CI', '').lower() == 'true'


def require(tier: str) -> None:
    reason = missing(tier)
    if reason is None:
        return
    if in_ci():
        pytest.fail(f'{tier} tier: {reason} (CI=true, so a missing prerequisite fails)', pytrace=False)
    pytest.skip(f'{tier} tier: {reason}')


@functools.cache
def missing(tier: str) -> str | None:
    """Why the tier cannot run here, or None when it can."""
    if tier == 'docker':
        return _docker_missing()
    if tier == 'kind':
        return _docker_missing() or _cluster_missing()
    if tier == 'browser':
        return None if any(shutil.which(name) for name in CHROMIUM) else 'Chromium is not installed'
    raise ValueError(f'unknown tier {tier!r} (tiers with prerequisites: {TIERS})')


def _docker_missing() -> str | None:
    try:
        result = subprocess.run(['docker', 'info', '--format', '{{.ServerVersion}}'], env=lab_env(),
                                capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f'the Docker engine is not answering ({error}); start it with `lab/lab up engine`'
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ['no output'])[-1]
        return f'the Docker engine is not answering ({last}); start it with `lab/lab up engine`'
    return None


def _cluster_missing() -> str | None:
    from tests.harness import kube_scope  # the Kubernetes client is slow to import; only kind needs it

    kubeconfig = Path(lab_env()['KUBECONFIG_LAB'])
    if not kubeconfig.exists():
        return f'no kind cluster ({kubeconfig} does not exist); start it with `lab/lab up`'
    return kube_scope.unreachable(kubeconfig)
