"""The verified stamp: the runner's records of a page's runs, and the line the site shows from them."""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
import yaml

from tests.harness import captures, verified
from tests.harness.pages import read_page

REPO = Path(__file__).resolve().parents[2]
FIXTURE_SITE = REPO / 'tests' / 'fixtures' / 'runner'
_spec = importlib.util.spec_from_file_location('verified_hook', REPO / 'hooks' / 'verified.py')
hook = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hook)

PASSING = Path('docker/passing.md')
VERSIONS = {'Docker Engine': '29.8.0', 'Docker Compose': 'v5.6.0'}


@pytest.fixture
def root(tmp_path):
    shutil.copytree(FIXTURE_SITE, tmp_path, dirs_exist_ok=True)
    return tmp_path


def passing(root: Path):
    return read_page(root / 'docs' / 'zh' / PASSING, root)


def write_run(root: Path, **changes):
    page = passing(root)
    blocks, skipped = verified.block_counts(page)
    entry = dict(verified.record(page, blocks=blocks, not_verified=skipped, failed_at=None, problem=None,
                                 versions=VERSIONS), **changes)
    verified.write_run(page, entry)
    return entry


@pytest.mark.static
def test_a_page_with_no_record_says_it_is_not_verified(root):
    assert hook.stamp('zh', PASSING, root) == '本页的命令还没有运行记录，尚未验证。'
    assert hook.stamp('en', PASSING, root) == 'No run of this page is on record: not verified yet.'


@pytest.mark.static
def test_a_passed_run_gives_its_date_versions_and_counts_in_both_languages(root):
    entry = write_run(root, date='2026-11-30T10:00:00Z')
    assert entry['blocks'] == 3 and entry['not-verified'] == 1   # passing.md marks its macOS block
    assert hook.stamp('en', PASSING, root) == (
        'Verified: all 3 code blocks of this page passed on 2026-11-30, on Docker Engine 29.8.0, '
        'Docker Compose v5.6.0. One more is marked as not verified.')
    assert hook.stamp('zh', PASSING, root) == (
        '已验证：本页 3 个代码块于 2026-11-30 全部通过，运行在 Docker Engine 29.8.0、Docker Compose v5.6.0 上。'
        ' 另有 1 个代码块标明了未经验证。')


@pytest.mark.static
def test_english_says_one_block_in_the_singular(root):
    write_run(root, date='2026-11-30T10:00:00Z', blocks=1, **{'not-verified': 2})
    assert hook.stamp('en', PASSING, root) == (
        'Verified: the one code block of this page passed on 2026-11-30, on Docker Engine 29.8.0, '
        'Docker Compose v5.6.0. 2 more are marked as not verified.')


@pytest.mark.static
def test_the_stamp_changes_with_the_pages_run(root):
    write_run(root, date='2026-11-30T10:00:00Z')
    # A later failing run replaces it.
    write_run(root, date='2026-12-01T10:00:00Z', result='failed', **{'failed-at': 7})
    assert hook.stamp('en', PASSING, root) == (
        'Failing: in the run of 2026-12-01, the code block at line 7 of this page failed.')
    # A capture record newer than the run record wins.
    page = passing(root)
    captures.write(page, dict(verified.record(page, blocks=3, not_verified=1, failed_at=None, problem=None,
                                              versions=VERSIONS), date='2026-12-02T10:00:00Z'))
    assert 'passed on 2026-12-02' in hook.stamp('en', PASSING, root)


@pytest.mark.static
def test_a_change_to_a_snippet_after_the_run_unverifies_the_page(root):
    write_run(root, date='2026-11-30T10:00:00Z')
    greet = root / 'snippets' / 'docker' / 'passing' / 'greet.sh'
    greet.write_text(greet.read_text() + '\necho one more line\n')
    assert hook.stamp('en', PASSING, root).startswith(
        'Not verified: the code blocks of this page changed after they all passed on 2026-11-30')


@pytest.mark.static
def test_a_page_without_commands_says_so(root):
    assert hook.stamp('en', Path('reference/plain.md'), root) == 'This page has no commands to run.'


@pytest.mark.docker
def test_the_runner_records_each_whole_run_of_a_page(pytester):
    shutil.copytree(FIXTURE_SITE, pytester.path, dirs_exist_ok=True)
    records = pytester.path / 'build' / 'verified' / 'docker'
    pytester.runpytest('-p', 'no:cacheprovider', 'docs/zh/docker/passing.md', 'docs/zh/docker/failing.md')
    passed = yaml.safe_load((records / 'passing.yaml').read_text())
    assert passed['result'] == 'passed' and passed['blocks'] == 3 and passed['not-verified'] == 1
    assert passed['versions']['Docker Engine'][0].isdigit()   # asked of the running engine
    assert passed['content'] == verified.content_hash(read_page(pytester.path / 'docs/zh' / PASSING, pytester.path))
    failed = yaml.safe_load((records / 'failing.yaml').read_text())
    assert failed['result'] == 'failed' and failed['failed-at'] == 3
    # A run of part of a page is not a verified run: the record stays as it was.
    (records / 'passing.yaml').unlink()
    pytester.runpytest('-p', 'no:cacheprovider', 'docs/zh/docker/passing.md', '-k', 'line:3')
    assert not (records / 'passing.yaml').exists()
