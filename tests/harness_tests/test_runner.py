"""The page runner's own tests, run on the small site in tests/fixtures/runner, never on real pages."""
from __future__ import annotations

import os
import shutil
import subprocess
from xml.etree import ElementTree
from pathlib import Path

import pytest
import yaml

from tests.harness import docker_scope
from tests.harness.lab import lab_env

FIXTURE_SITE = Path(__file__).resolve().parents[1] / 'fixtures' / 'runner'


@pytest.fixture
def site(pytester):
    """A copy of the fixture site, so that --update-output and leaks touch only the copy."""
    shutil.copytree(FIXTURE_SITE, pytester.path, dirs_exist_ok=True)
    return pytester


def run_pages(site, *args: str):
    return site.runpytest('-p', 'no:cacheprovider', '-rs', *args)


@pytest.mark.docker
def test_a_failing_command_names_page_line_snippet_line_command_and_stderr(site):
    result = run_pages(site, 'docs/zh/docker/failing.md')
    result.assert_outcomes(failed=1, skipped=1, passed=1)
    result.stdout.fnmatch_lines([
        'Example at */docs/zh/docker/failing.md, line 3, column 1 did not evaluate as expected:',
        'bash block failed with exit code 2 after * s',
        '  source:  */snippets/docker/failing/steps.sh:2',
        '  command: ls /no/such/directory',
        '--- stdout (last 1 lines) ---',
        'first step works',
        '--- stderr (last 1 lines) ---',
        "ls: cannot access '/no/such/directory': No such file or directory",
    ])
    # The next block of the page does not run on top of a half-done page.
    result.stdout.fnmatch_lines(['SKIPPED * not run: the block at docs/zh/docker/failing.md:3 failed'])


@pytest.mark.docker
def test_a_console_mismatch_shows_a_unified_diff_of_shown_and_real(site):
    result = run_pages(site, 'docs/zh/docker/mismatch.md')
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines([
        '$ seq 3',
        '--- shown (*/snippets/docker/mismatch/count.console:2)',
        '+++ real',
        ' 2',
        '-4',
        '+3',
        '$ echo no output shown',
        '+no output shown',
    ])


@pytest.mark.docker
def test_update_output_rewrites_the_console_snippet_from_the_real_run(site):
    snippet = site.path / 'snippets/docker/mismatch/count.console'
    run_pages(site, '--update-output', 'docs/zh/docker/mismatch.md').assert_outcomes(passed=2)
    assert snippet.read_text() == '$ seq 3\n1\n2\n3\n$ echo no output shown\nno output shown\n'
    record = yaml.safe_load((site.path / 'tests/captures/docker/mismatch.yaml').read_text())
    assert record['host'] == {'kernel-release': os.uname().release}
    run_pages(site, 'docs/zh/docker/mismatch.md').assert_outcomes(passed=2)


@pytest.mark.docker
def test_update_output_takes_every_output_of_a_page_from_one_run(site):
    """Even an output that matched after normalising is replaced: the page shows one run, not a splice."""
    snippet = site.path / 'snippets/docker/passing/varying.console'
    before = snippet.read_text()
    run_pages(site, '--update-output', 'docs/zh/docker/passing.md').assert_outcomes(passed=5, skipped=1)
    after = snippet.read_text()
    assert after != before and after.split('\n')[2:] == before.split('\n')[2:]


@pytest.mark.docker
def test_a_page_that_fails_is_not_rewritten(site):
    snippet = site.path / 'snippets/docker/failing/steps.sh'
    run_pages(site, '--update-output', 'docs/zh/docker/failing.md').assert_outcomes(failed=1, skipped=1, passed=1)
    assert not (site.path / 'tests/captures/docker/failing.yaml').exists()
    assert snippet.read_text() == (FIXTURE_SITE / 'snippets/docker/failing/steps.sh').read_text()


@pytest.mark.docker
def test_a_page_that_contradicts_itself_fails(site):
    result = run_pages(site, 'docs/zh/docker/contradiction.md')
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(['*sha256:bbbb* and sha256:aaaa* are shown as two values, but the run printed '
                                 'sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881 for both'])


@pytest.mark.docker
def test_a_page_captured_on_another_machine_passes_with_this_machines_kernel(site):
    run_pages(site, 'docs/zh/docker/other-host.md').assert_outcomes(passed=2)


@pytest.mark.docker
def test_varying_output_passes_after_normalisation_and_skips_are_reported(site):
    result = run_pages(site, 'docs/zh/docker/passing.md', 'docs/zh/docker/bare-skip.md')
    # passing.md: two bash blocks, a console, the skip comment itself; bare-skip.md: the skip comment.
    result.assert_outcomes(passed=6, skipped=2)
    result.stdout.fnmatch_lines_random([
        'SKIPPED * not verified by CI: macOS 上的安装步骤',
        'SKIPPED * marked "skip: next" on the page',
    ])
    # The image passing.md built and kept is gone, without failing the page.
    assert docker_scope.docker('image', 'ls', '--quiet', '--filter', 'label=runner-selftest=built') == ''


@pytest.mark.docker
def test_a_leak_is_caught_named_and_removed_and_nothing_else_is_touched(site):
    try:
        result = run_pages(site, 'docs/zh/docker/leak.md')
        result.assert_outcomes(passed=2, errors=1)
        result.stdout.fnmatch_lines([
            '*ERROR at teardown of leak.md*',
            'docs/zh/docker/leak.md: the page left containers: runner-selftest-leak; '
            'networks: runner-selftest-leak behind (removed now)*',
        ])
        assert docker_scope.docker('ps', '--all', '--quiet', '--filter', 'name=runner-selftest-leak') == ''
        assert 'runner-selftest-leak' not in docker_scope.docker('network', 'ls', '--format', '{{.Name}}')
        assert 'runner-selftest-leak' not in docker_scope.docker('image', 'ls', '--format', '{{.Repository}}')
        assert docker_scope.docker('ps', '--all', '--quiet', '--filter', 'name=runner-selftest-outside') != ''
    finally:
        docker_scope.docker('rm', '--force', 'runner-selftest-outside')


@pytest.mark.static
def test_a_page_with_blocks_but_no_tier_fails(site):
    result = run_pages(site, 'docs/zh/reference/untiered.md')
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(['*docs/zh/reference/untiered.md has bash/sh/console blocks but no tier*'])


@pytest.mark.static
def test_only_pages_with_runnable_blocks_give_items(site):
    result = run_pages(site, '--collect-only', '-q', 'docs/zh')
    collected = {line.split('::')[0] for line in result.stdout.lines if '::' in line} - {''}
    assert collected == {f'docs/zh/{page}.md' for page in (
        'docker/bare-skip', 'docker/contradiction', 'docker/failing', 'docker/leak', 'docker/mismatch',
        'docker/other-host', 'docker/passing', 'docker/terminal', 'kubernetes/leak', 'kubernetes/namespace',
        'reference/untiered')}


@pytest.mark.kind
def test_a_kind_page_runs_in_its_own_restricted_namespace_and_leaves_nothing(site):
    run_pages(site, 'docs/zh/kubernetes/namespace.md').assert_outcomes(passed=3)
    kubectl = ['kubectl', '--kubeconfig', lab_env()['KUBECONFIG_LAB']]
    result = subprocess.run(kubectl + ['get', 'namespace', 'page-kubernetes-namespace'], capture_output=True, text=True)
    assert 'NotFound' in result.stderr, result.stdout + result.stderr


@pytest.mark.kind
def test_a_kind_page_that_leaves_objects_fails_and_they_are_removed(site):
    result = run_pages(site, 'docs/zh/kubernetes/leak.md')
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(['docs/zh/kubernetes/leak.md: the page left ConfigMap runner-selftest-left, '
                                 'ClusterRole runner-selftest-left behind (removed now)*'])
    kubectl = ['kubectl', '--kubeconfig', lab_env()['KUBECONFIG_LAB']]
    leftover = subprocess.run(kubectl + ['get', 'clusterrole', 'runner-selftest-left'], capture_output=True, text=True)
    assert 'NotFound' in leftover.stderr


@pytest.mark.kind
def test_what_any_test_leaves_on_the_cluster_is_a_failed_test_case_and_is_removed(site):
    site.makepyfile(test_leaky='''
        import subprocess, pytest
        from tests.harness.lab import lab_env

        @pytest.mark.kind
        def test_leaves_a_cluster_role():
            subprocess.run(['kubectl', '--kubeconfig', lab_env()['KUBECONFIG_LAB'], 'create', 'clusterrole',
                            'runner-selftest-leftover', '--verb=get', '--resource=pods'], check=True)
    ''')
    result = run_pages(site, 'test_leaky.py', '--junitxml=junit.xml')
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(['*left behind by the test suite (removed now):',
                                 'kube: ClusterRole runner-selftest-leftover'])
    junit = ElementTree.parse(site.path / 'junit.xml')
    failed = [case.get('name') for case in junit.iter('testcase') if case.find('failure') is not None]
    assert failed == ['nothing left behind']
    kubectl = ['kubectl', '--kubeconfig', lab_env()['KUBECONFIG_LAB']]
    leftover = subprocess.run(kubectl + ['get', 'clusterrole', 'runner-selftest-leftover'], capture_output=True, text=True)
    assert 'NotFound' in leftover.stderr


@pytest.mark.docker
def test_the_next_session_removes_what_a_killed_session_left_and_says_so(site):
    """A session killed with SIGKILL leaves its journal unlocked; the next one cleans up after it."""
    journal = Path(lab_env()['LAB_STATE']) / 'journal' / 'killed-selftest.jsonl'
    docker_scope.docker('run', '-d', '--name', 'runner-selftest-killed', 'debian:12', 'sleep', '300')
    container = docker_scope.docker('inspect', '--format', '{{.Id}}', 'runner-selftest-killed').strip()
    journal.write_text(f'{{"docker": "containers", "value": "{container}"}}\n')
    try:
        result = run_pages(site, 'docs/zh/docker/mismatch.md')
        result.stdout.fnmatch_lines(['removed what an interrupted test session left on the engine '
                                     '(killed-selftest.jsonl): containers: runner-selftest-killed'])
        assert docker_scope.docker('ps', '--all', '--quiet', '--filter', 'name=runner-selftest-killed') == ''
        assert not journal.exists()
    finally:
        journal.unlink(missing_ok=True)
        subprocess.run(['docker', 'rm', '--force', 'runner-selftest-killed'], capture_output=True)


@pytest.mark.docker
def test_pages_get_the_labs_cli_plugins_without_owning_them(site):
    """The plugins are hard-linked into the page's home, which the reader account owns: the lab's
    binaries must stay the lab's, or that account could replace programs that root runs."""
    run_pages(site, 'docs/zh/docker/passing.md').assert_outcomes(passed=5, skipped=1)
    plugins = Path(lab_env()['DOCKER_CONFIG']) / 'cli-plugins'
    owners = {plugin.resolve().stat().st_uid for plugin in plugins.iterdir()}
    assert owners == {os.geteuid()}
