"""Fixtures of the static tier: the site built once per session, and the checkers fetched with Go."""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.harness.prerequisites import in_ci
from tests.static import built_site, tools


@dataclass(frozen=True)
class Build:
    site_dir: Path
    problems: list[str]


@pytest.fixture(scope='session', autouse=True)
def site_build_started(tmp_path_factory) -> tuple[Path, subprocess.Popen]:
    """The repository's site starts building with the tier's first test, alongside the other checks."""
    site_dir = tmp_path_factory.mktemp('site')
    process = built_site.start_build(tools.REPO, site_dir)
    yield site_dir, process
    process.kill()
    process.wait()


@pytest.fixture(scope='session')
def site_build(site_build_started) -> Build:
    """The repository's site, built strictly into a temporary folder, with the build's problems."""
    site_dir, process = site_build_started
    return Build(site_dir, built_site.build_problems(tools.REPO, process))


def _required(setup):
    """A checker set up now; when that is impossible, skip on a laptop and fail in CI."""
    try:
        return setup()
    except tools.MissingPrerequisite as reason:
        if in_ci():
            pytest.fail(f'static tier: {reason} (CI=true, so a missing prerequisite fails)', pytrace=False)
        pytest.skip(f'static tier: {reason}')


@pytest.fixture(scope='session')
def actionlint() -> Path:
    return _required(tools.actionlint)


@pytest.fixture(scope='session')
def compose_schema() -> Path:
    return _required(tools.compose_schema)


@pytest.fixture(scope='session')
def gateway_api_crds() -> Path:
    return _required(tools.gateway_api_crds)
