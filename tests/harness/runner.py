"""The page runner: a pytest plugin that runs the Chinese pages' blocks as tests, through Sybil.

Every bash, sh and console fence of docs/zh/**/*.md is a test item, run in page order in a working
directory that holds a copy of the page's snippet folder; see CONTRIBUTING.md ("How blocks run",
"Scope and cleanup") for the contract. The parts: page_parser (Sybil regions), evaluators (running a
block), page_run (the page fixture and its cleanup), rewrite (--update-output), suite (the session's
scope, journal and final leak check).
"""
from __future__ import annotations

import functools
from pathlib import Path

import pytest
from sybil.integration.pytest import SybilItem

from tests.harness.page_parser import sybil
from tests.harness.page_run import page_run  # noqa: F401  (the fixture Sybil asks for)
from tests.harness.pages import read_page
from tests.harness.prerequisites import TIERS, require
from tests.harness.suite import SUITE, LeakCheck, SuiteScope

_ENGINE_TIERS = ('docker', 'kind')


def pytest_addoption(parser):
    parser.addoption('--update-output', action='store_true',
                     help='rewrite the output shown in console snippet files from one real run of each page')


def pytest_configure(config):
    config.stash[SUITE] = SuiteScope()


def pytest_collect_file(file_path: Path, parent):
    """Pages are docs/zh/**/*.md under the root directory; those with no bash/console block give no items."""
    root = parent.config.rootpath
    if file_path.suffix != '.md' or not file_path.is_relative_to(root / 'docs' / 'zh'):
        return None
    page = read_page(file_path, root)
    if not any(fence.runnable for fence in page.fences):
        return None
    collected = sybil(root).pytest()(file_path, parent)
    if page.tier:
        collected.add_marker(page.tier)
    return collected


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """A session that runs docker or kind tests ends with the check of what it left."""
    if any(item.get_closest_marker(tier) for item in items for tier in _ENGINE_TIERS):
        items.append(LeakCheck.from_parent(session, name='nothing left behind'))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    tiers = [marker.name for marker in item.iter_markers() if marker.name in TIERS]
    for tier in tiers:
        require(tier)
    if any(tier in _ENGINE_TIERS for tier in tiers):
        item.config.stash[SUITE].start(kube='kind' in tiers, say=functools.partial(_say, item.config))


def _say(config, line: str) -> None:
    """A line for the person running the tests, past pytest's output capture."""
    terminal = config.pluginmanager.get_plugin('terminalreporter')
    capture = config.pluginmanager.get_plugin('capturemanager')
    if terminal is None or capture is None:
        print(line)
        return
    with capture.global_and_fixture_disabled():
        terminal.write_line(line)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session):
    """When the final check did not run (-x, an interrupted session), the same check runs here."""
    problems = session.config.stash[SUITE].finish()
    if not problems:
        return
    reporter = session.config.pluginmanager.get_plugin('terminalreporter')
    if reporter:
        reporter.write_sep('=', 'left behind by the test suite (removed now)', red=True)
        for problem in problems:
            reporter.write_line(problem)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A skipped block is reported at its page line, not where the skip was raised."""
    report = yield
    if report.skipped and isinstance(item, SybilItem) and isinstance(report.longrepr, tuple):
        report.longrepr = (str(item.path), item.example.line, report.longrepr[2])
    return report
