"""The page runner: a pytest plugin that runs the Chinese pages' blocks as tests, through Sybil.

Every bash, sh and console fence of docs/zh/**/*.md is a test item, run in page order in a working
directory that holds a copy of the page's snippet folder; see CONTRIBUTING.md ("How blocks run",
"Scope and cleanup") for the contract this implements.
"""
from __future__ import annotations

import dataclasses
import fcntl
import functools
import logging
import os
import re
import shutil
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sybil import Region, Sybil
from sybil.integration.pytest import SybilItem
from sybil.parsers.markdown import SkipParser

from tests.harness import docker_scope, shell, transcript
from tests.harness.lab import lab_env, lab_path_dirs
from tests.harness.pages import Fence, Origin, Page, read_page
from tests.harness.prerequisites import TIERS, require
from tests.harness.reader import Account, reader, reader_path

log = logging.getLogger('harness.runner')

BLOCK_TIMEOUT = 600  # seconds, for one bash block or one console command
# Prepended to bash blocks so that a failure names the line of the block that failed.
_ERR_MARK = 'page-runner: failed at block line'
_ERR_TRAP = f"trap 'echo \"{_ERR_MARK} $((LINENO - 1)) with exit code $?\" >&2' ERR\n"
_ERR_LINE = re.compile(rf'^{_ERR_MARK} (\d+) with exit code \d+\n?', re.MULTILINE)
_NOT_VERIFIED = re.compile(r'^[ \t]*(?:!!!|\?\?\?\+?)[ \t]+not-verified[ \t]+"(?P<title>[^"]*)"', re.MULTILINE)
SUITE = pytest.StashKey['SuiteScope']()


def pytest_addoption(parser):
    parser.addoption('--update-output', action='store_true',
                     help='rewrite the output shown in console snippet files from the real run')


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
    collected = _sybil(root).pytest()(file_path, parent)
    if page.tier:
        collected.add_marker(page.tier)
    return collected


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    tiers = [marker.name for marker in item.iter_markers() if marker.name in TIERS]
    for tier in tiers:
        require(tier)
    if 'docker' in tiers or 'kind' in tiers:
        terminal = item.config.pluginmanager.get_plugin('terminalreporter')
        item.config.stash[SUITE].start(kube='kind' in tiers, terminal=terminal)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session):
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


@functools.cache
def _sybil(root: Path) -> Sybil:
    return Sybil(parsers=[PageParser(root)], path=str(root / 'docs' / 'zh'), pattern='*.md',
                 fixtures=['page_run'])


class PageParser:
    """Sybil regions for the runnable fences of a page and for its `<!-- skip: next -->` comments."""

    def __init__(self, root: Path):
        self.root = root
        self.skips = SkipParser()

    def __call__(self, document):
        page = read_page(Path(document.path), self.root)
        for fence in page.fences:
            if fence.runnable:
                evaluator = run_console if fence.language == 'console' else run_script
                yield Region(fence.start, fence.end, fence, evaluator)
        for region in self.skips(document):
            action, reason = region.parsed
            following = next((f for f in page.fences if f.start > region.start), None)
            if action == 'next' and (following is None or not following.runnable):
                raise ValueError(f'{page.rel}:{_line(document.text, region.start)}: "skip: next" must sit '
                                 f'right above a bash, sh or console block')
            # Sybil passes a bare "skip: next" as if the block had run; report it as skipped instead.
            if action == 'next' and not reason:
                region.parsed = (action, repr(_skip_reason(document.text, region.start)))
            yield region


def _skip_reason(text: str, position: int) -> str:
    titles = _NOT_VERIFIED.findall(text, 0, position)
    return f'not verified by CI: {titles[-1]}' if titles else 'marked "skip: next" on the page'


def _line(text: str, position: int) -> int:
    return text.count('\n', 0, position) + 1


@dataclass
class PageRun:
    """One page being run: its working directory, environment, and whether a block failed."""
    page: Page
    workdir: Path
    env: dict[str, str]
    update_output: bool
    account: Account | None        # who runs the commands; None: the user running the tests
    recorder: docker_scope.Recorder
    failed_at: int | None = None   # page line of the first block that failed

    def start_block(self) -> None:
        if self.failed_at is not None:
            pytest.skip(f'not run: the block at {self.page.rel}:{self.failed_at} failed')


@pytest.fixture(scope='module')
def page_run(request):
    """Sets up the page's working directory and scopes; cleans up after its last block."""
    page = read_page(request.path, request.config.rootpath)
    if page.tier is None:
        pytest.fail(f'{page.rel} has bash/sh/console blocks but no tier: put it under docs/zh/docker or '
                    f'docs/zh/kubernetes, give it front matter "tier:", or mark the blocks "skip: next"',
                    pytrace=False)
    account = reader()
    # Outside pytest's own temporary folder, which only root may enter.
    base = Path(tempfile.mkdtemp(prefix=f'page-{page.topic.name}-'))
    workdir, home = base / 'work', base / 'home'
    if page.snippet_dir.is_dir():
        shutil.copytree(page.snippet_dir, workdir)
    else:
        workdir.mkdir()
    home.mkdir()
    env = dict(lab_env(), HOME=str(home))
    env.pop('KUBECONFIG', None)
    if account:
        account.give(base)
        env.update(USER=account.name, LOGNAME=account.name,
                   PATH=reader_path(account, lab_path_dirs(), base / 'bin'))
    suite: SuiteScope = request.config.stash[SUITE]
    recorder = docker_scope.Recorder(suite.engine)
    run = PageRun(page, workdir, env, request.config.getoption('update_output'), account, recorder)
    problems: list[str] = []
    with ExitStack() as cleanups:
        cleanups.callback(shutil.rmtree, base)
        cleanups.callback(_docker_cleanup, run, recorder, suite, problems)
        # Closed before the cleanup above runs: it waits for the last responses to be recorded.
        proxy = docker_scope.EngineProxy(recorder, owner=account.uid if account else None)
        env['DOCKER_HOST'] = cleanups.enter_context(proxy).docker_host
        if page.tier == 'kind':
            from tests.harness.kube_scope import private_kubeconfig

            cluster = suite.cluster
            namespace = _page_namespace(page)
            objects_before = cluster.cluster_objects()
            cleanups.callback(_kube_cleanup, cluster, namespace, objects_before, problems)
            cluster.create_namespace(namespace, _pod_security(page))
            kubeconfig = private_kubeconfig(Path(env['KUBECONFIG_LAB']), base / 'kubeconfig', namespace)
            if account:
                os.chown(kubeconfig, account.uid, account.gid)
            env['KUBECONFIG'] = str(kubeconfig)
        yield run
    if problems:
        pytest.fail(f'{page.rel}: ' + '\n'.join(problems), pytrace=False)


def _page_namespace(page: Page) -> str:
    from tests.harness.kube_scope import namespace_for

    return namespace_for(page.topic)


def _pod_security(page: Page) -> str:
    from tests.harness.kube_scope import POD_SECURITY_LEVELS

    level = page.meta.get('pod-security', 'restricted')
    if level not in POD_SECURITY_LEVELS:
        raise ValueError(f'{page.rel}: pod-security must be one of {POD_SECURITY_LEVELS}, not {level!r}')
    if level != 'restricted' and not page.meta.get('pod-security-reason'):
        raise ValueError(f'{page.rel}: pod-security: {level} needs a pod-security-reason in the front matter')
    return level


def _docker_cleanup(run: PageRun, recorder: docker_scope.Recorder, suite: 'SuiteScope',
                    problems: list[str]) -> None:
    cleanup = docker_scope.clean_up(recorder.created, lab_env())
    leaks = cleanup.leak_message()
    if leaks and run.failed_at is None:
        problems.append(f'the page left {leaks} behind (removed now); a page ends by removing what it '
                        f'started, as the reader would')
    elif leaks:
        log.info('removed what the failed page left: %s', leaks)
    if cleanup.errors:
        problems.extend(f'docker cleanup: {error}' for error in cleanup.errors)
        suite.recorder.merge(recorder.created)   # the session's final check tries again


def _kube_cleanup(cluster, namespace: str, objects_before, problems: list[str]) -> None:
    cluster.delete_namespace(namespace)
    created = cluster.cluster_objects() - objects_before
    if created:
        log.info('removing cluster-scoped objects the page created: %s',
                 ', '.join(f'{kind}/{name}' for _, kind, name in sorted(created)))
        problems.extend(f'kube cleanup: {error}' for error in cluster.remove(created))


def run_script(example) -> str | None:
    """A bash or sh block: one script, `bash -euo pipefail`."""
    fence: Fence = example.parsed
    run: PageRun = example.namespace['page_run']
    run.start_block()
    result = shell.run(['bash', '-euo', 'pipefail', '-c', _ERR_TRAP + fence.text], run.workdir, run.env,
                       BLOCK_TIMEOUT, account=run.account)
    run.recorder.add_build_output(result.stdout + result.stderr)
    if result.returncode == 0:
        return None
    run.failed_at = fence.line
    marks = _ERR_LINE.findall(result.stderr)
    stderr = _ERR_LINE.sub('', result.stderr)
    failed = dataclasses.replace(result, stderr=stderr)
    if marks:
        index = int(marks[-1]) - 1
        where, command = fence.origins[index], fence.text.split('\n')[index]
    else:
        where, command = None, fence.text
    return _failure(f'{fence.language} block', fence, where, command, failed)


def run_console(example) -> str | None:
    """A console transcript: each `$ ` command runs on its own; its output is compared with the shown one."""
    fence: Fence = example.parsed
    run: PageRun = example.namespace['page_run']
    run.start_block()
    differences, updates = [], []
    for command in transcript.parse(fence.text):
        result = shell.run(['bash', '-o', 'pipefail', '-c', command.text], run.workdir, run.env,
                           BLOCK_TIMEOUT, merge=True, account=run.account)
        run.recorder.add_build_output(result.stdout)
        if result.returncode != 0:
            run.failed_at = fence.line
            return _failure('console command', fence, fence.origins[command.first], command.text, result)
        if transcript.matches(command.shown, result.stdout):
            continue
        if run.update_output:
            updates.append((command, result.stdout))
            continue
        shown_at = fence.origins[command.output.start] if command.output else fence.origins[command.first]
        differences.append(f'$ {command.text}\n' + transcript.diff(command.shown, result.stdout, str(shown_at)))
    if updates:
        rewrite_outputs(fence, updates)
    if differences:
        run.failed_at = fence.line
        return ('the real output differs from the shown output (after normalising IDs, digests, dates, '
                'durations, sizes and IPs; `pytest --update-output` takes the real output)\n\n'
                + '\n\n'.join(differences))
    return None


def _failure(what: str, fence: Fence, where, command: str, result: shell.Result) -> str:
    lines = [f'{what} failed with exit code {result.returncode} after {result.seconds:.1f} s'
             + (f' (killed at the {BLOCK_TIMEOUT} s timeout)' if result.timed_out else ''),
             f'  page:    {Origin(fence.page, fence.line)} ({fence.info or "no info"})']
    if where is not None:
        lines.append(f'  source:  {where}')
    lines.append('  command: ' + command.replace('\n', '\n           '))
    lines.append(result.tail())
    return '\n'.join(lines)


@dataclass
class _Edit:
    path: Path
    start: int          # 0-based index of the first file line replaced
    stop: int           # 0-based index after the last one
    lines: list[str] = field(default_factory=list)


def rewrite_outputs(fence: Fence, updates: list[tuple[transcript.Command, str]]) -> None:
    """Replace the shown output of each command, in the file each line came from, with the real output."""
    edits = []
    for command, real in updates:
        new = real.rstrip('\n').split('\n') if real.strip() else []
        if command.output:
            origins = [fence.origins[i] for i in command.output]
            paths = {origin.path for origin in origins}
            numbers = [origin.line for origin in origins]
            if len(paths) != 1 or numbers != list(range(numbers[0], numbers[0] + len(numbers))):
                raise ValueError(f'cannot rewrite the output of "$ {command.text}": its lines are not one '
                                 f'run of lines in one file ({", ".join(map(str, origins))})')
            edits.append(_Edit(origins[0].path, numbers[0] - 1, numbers[-1], new))
        else:
            after = fence.origins[command.output.start - 1]   # the command's last line
            edits.append(_Edit(after.path, after.line, after.line, new))
    for edit in sorted(edits, key=lambda e: (str(e.path), e.start), reverse=True):
        lines = edit.path.read_text(encoding='utf-8').split('\n')
        lines[edit.start:edit.stop] = edit.lines
        edit.path.write_text('\n'.join(lines), encoding='utf-8')
        log.info('rewrote the output at %s:%d', edit.path, edit.start + 1)


class SuiteScope:
    """The whole session's check: nothing the suite created is left on the engine or the cluster.

    From the first docker or kind test on, DOCKER_HOST points every test at a recording proxy; pages
    get a proxy of their own and hand over here only what their cleanup could not remove.
    """

    def __init__(self):
        self.engine: str | None = None
        self.recorder: docker_scope.Recorder | None = None
        self._proxy: docker_scope.EngineProxy | None = None
        self._docker_host: str | None = None
        self.cluster = None
        self.cluster_before = None

    def start(self, kube: bool, terminal=None) -> None:
        if self.recorder is None:
            self.engine = docker_scope.engine_socket(lab_env())
            self.recorder = docker_scope.Recorder(self.engine)
            self._proxy = docker_scope.EngineProxy(self.recorder).__enter__()
            self._docker_host = os.environ.get('DOCKER_HOST')
            os.environ['DOCKER_HOST'] = self._proxy.docker_host
        if kube and self.cluster is None:
            from tests.harness.kube_scope import Cluster

            # Cluster-wide objects carry no creator: one session at a time uses the shared cluster, so
            # that what appears during this one is this one's.
            _lock_cluster(Path(lab_env()['LAB_STATE']) / 'cluster.lock', terminal)
            self.cluster = Cluster(Path(lab_env()['KUBECONFIG_LAB']))
            self.cluster_before = self.cluster.cluster_objects()

    def finish(self) -> list[str]:
        problems = []
        if self.recorder is not None:
            self._proxy.__exit__(None, None, None)
            if self._docker_host is None:
                os.environ.pop('DOCKER_HOST')
            else:
                os.environ['DOCKER_HOST'] = self._docker_host
            cleanup = docker_scope.clean_up(self.recorder.created, lab_env())
            if cleanup.leak_message():
                problems.append(f'docker: {cleanup.leak_message()}')
            problems.extend(f'docker cleanup: {error}' for error in cleanup.errors)
        if self.cluster is not None:
            try:
                problems.extend(self._kube_leftovers())
            except Exception as error:  # the cluster went away: say so instead of a traceback
                problems.append(f'kube: could not check what is left ({type(error).__name__}: {error})')
            finally:
                self.cluster.close()
                _unlock_cluster()
        return problems

    def _kube_leftovers(self) -> list[str]:
        problems = []
        for namespace in self.cluster.managed_namespaces():
            problems.append(f'kube: namespace {namespace}')
            self.cluster.delete_namespace(namespace)
        created = self.cluster.cluster_objects() - self.cluster_before
        problems.extend(f'kube: {kind} {name}' for _, kind, name in sorted(created))
        problems.extend(f'kube cleanup: {error}' for error in self.cluster.remove(created))
        return problems


# Held per process, not per session: the runner's own tests run sessions inside a session.
_cluster_lock = {'file': None, 'sessions': 0}


def _lock_cluster(path: Path, terminal) -> None:
    """Take the exclusive lock on path, waiting for its holder if there is one."""
    if _cluster_lock['sessions'] == 0:
        lock = path.open('a')
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if terminal:
                terminal.write_line(f'waiting for another test session to release {path}')
            fcntl.flock(lock, fcntl.LOCK_EX)
        _cluster_lock['file'] = lock
    _cluster_lock['sessions'] += 1


def _unlock_cluster() -> None:
    _cluster_lock['sessions'] -= 1
    if _cluster_lock['sessions'] == 0:
        _cluster_lock['file'].close()
