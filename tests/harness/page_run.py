"""The `page_run` fixture: one page's working directory, environment and scopes, and its cleanup.

A page runs in a temporary copy of its snippet folder, as the reader account, with its own HOME and
Docker client configuration, a recording proxy in front of the engine and, on a kind page, its own
namespace. After its last block, what it left is removed and, if the page passed, counted against it.
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.harness import captures, docker_scope, rewrite, transcript, verified
from tests.harness.lab import lab_env, lab_path_dirs
from tests.harness.pages import Page, read_page
from tests.harness.reader import Account, link_programs, reader, reader_path
from tests.harness.suite import SUITE, SuiteScope

log = logging.getLogger('harness.page')


@dataclass
class PageRun:
    """One page being run: where and how its blocks run, and what the run found so far."""
    page: Page
    workdir: Path
    env: dict[str, str]
    update_output: bool
    account: Account | None        # who runs the commands; None: the user running the tests
    recorder: docker_scope.Recorder
    host: dict[str, tuple[str, str]]   # host facts: (where the page was captured, here)
    bindings: transcript.Bindings = field(default_factory=transcript.Bindings)
    edits: list[rewrite.Edit] = field(default_factory=list)   # with --update-output
    failed_at: int | None = None   # page line of the first block that failed
    blocks_run: int = 0            # a page run in part (-k, one block) is not a verified run

    def start_block(self) -> None:
        if self.failed_at is not None:
            pytest.skip(f'not run: the block at {self.page.rel}:{self.failed_at} failed')
        self.blocks_run += 1


@pytest.fixture(scope='module')
def page_run(request):
    page = read_page(request.path, request.config.rootpath)
    if page.tier is None:
        pytest.fail(f'{page.rel} has bash/sh/console blocks but no tier: put it under docs/zh/docker or '
                    f'docs/zh/kubernetes, give it front matter "tier:", or mark the blocks "skip: next"',
                    pytrace=False)
    suite: SuiteScope = request.config.stash[SUITE]
    account = reader()
    # Outside pytest's own temporary folder, which only root may enter.
    base = Path(tempfile.mkdtemp(prefix=f'page-{page.topic.name}-'))
    workdir, home = base / 'work', base / 'home'
    if page.snippet_dir.is_dir():
        shutil.copytree(page.snippet_dir, workdir)
    else:
        workdir.mkdir()
    home.mkdir()
    env = dict(lab_env(), HOME=str(home), DOCKER_CONFIG=str(home / '.docker'))
    env.pop('KUBECONFIG', None)
    (home / '.docker').mkdir()
    if account:
        account.give(base)
        env.update(USER=account.name, LOGNAME=account.name,
                   PATH=reader_path(account, lab_path_dirs(), base / 'bin'))
    # The lab's CLI plugins (compose, buildx), where a reader installs them for their own account.
    # Linked after give(): a hard link shares the owner, and the lab's binaries stay root's.
    plugins = Path(lab_env().get('DOCKER_CONFIG', '/nonexistent')) / 'cli-plugins'
    if plugins.is_dir():
        link_programs(plugins, home / '.docker' / 'cli-plugins')
    recorder = docker_scope.Recorder(suite.engine, on_add=suite.journal.docker)
    run = PageRun(page, workdir, env, request.config.getoption('update_output'), account, recorder,
                  captures.host_facts(page))
    problems: list[str] = []
    with ExitStack() as cleanups:
        cleanups.callback(shutil.rmtree, base)
        cleanups.callback(_docker_cleanup, run, suite, problems)
        if page.tier == 'kind':
            from tests.harness.kube_scope import namespace_for, private_kubeconfig

            namespace = namespace_for(page.topic)
            started = datetime.now(timezone.utc).replace(microsecond=0)
            suite.journal.kube_page(namespace, started)
            cleanups.callback(_kube_cleanup, run, suite.cluster, namespace, started, problems)
            suite.cluster.create_namespace(namespace, page.pod_security)
            kubeconfig = private_kubeconfig(Path(env['KUBECONFIG_LAB']), base / 'kubeconfig', namespace)
            if account:
                os.chown(kubeconfig, account.uid, account.gid)
            env['KUBECONFIG'] = str(kubeconfig)
        # Closed first: it waits for the last responses to be recorded.
        proxy = docker_scope.EngineProxy(recorder, owner=account.uid if account else None)
        env['DOCKER_HOST'] = cleanups.enter_context(proxy).docker_host
        yield run
    entry = _verified_record(run, suite, problems)
    if run.update_output:
        entry = _rewrite(run, entry)
    if entry is not None:
        verified.write_run(page, entry)
    if problems:
        pytest.fail(f'{page.rel}: ' + '\n'.join(problems), pytrace=False)


def _verified_record(run: PageRun, suite: SuiteScope, problems: list[str]) -> dict | None:
    """The page's verified record of this run, or None when only part of the page ran."""
    blocks, not_verified = verified.block_counts(run.page)
    if run.failed_at is None and run.blocks_run < blocks:
        return None
    return verified.record(run.page, blocks=blocks, not_verified=not_verified, failed_at=run.failed_at,
                           problem='; '.join(problems) or None, versions=suite.versions(run.page.tier))


def _rewrite(run: PageRun, entry: dict | None) -> dict | None:
    """Writes the run's outputs and its capture record when the whole page ran and passed; returns the
    run's record, now vouching for the outputs just written."""
    if entry is None or entry['result'] != 'passed':
        log.warning('%s: outputs not rewritten: %s', run.page.rel,
                    f'the block at line {run.failed_at} failed' if run.failed_at else
                    'only part of the page ran' if entry is None else entry.get('problem'))
        return entry
    rewrite.apply(run.edits)
    # Read again: run.page holds the code blocks as they were before the rewrite.
    entry = dict(entry, content=verified.content_hash(read_page(run.page.path, run.page.root)))
    captures.write(run.page, entry)
    return entry


def _docker_cleanup(run: PageRun, suite: SuiteScope, problems: list[str]) -> None:
    cleanup = docker_scope.clean_up(run.recorder.created, lab_env())
    leaks = cleanup.leak_message()
    if leaks and run.failed_at is None:
        problems.append(f'the page left {leaks} behind (removed now); a page ends by removing what it '
                        f'started, as the reader would')
    elif leaks:
        log.info('removed what the failed page left: %s', leaks)
    if cleanup.errors:
        problems.extend(f'docker cleanup: {error}' for error in cleanup.errors)
        suite.recorder.merge(run.recorder.created)   # the session's final check tries again


def _kube_cleanup(run: PageRun, cluster, namespace: str, started: datetime, problems: list[str]) -> None:
    """What the page's commands created and left, in its namespace or cluster-wide, fails a page that passed."""
    left = cluster.namespaced_by_readers(namespace)
    created = cluster.created_by_readers(since=started)
    cluster.delete_namespace(namespace)
    problems.extend(f'kube cleanup: {error}' for error in cluster.remove(created))
    names = [f'{kind} {name}' for kind, name in left] + [f'{kind} {name}' for _, kind, name in sorted(created)]
    if names and run.failed_at is None:
        problems.append(f'the page left {", ".join(names)} behind (removed now); a page deletes what it '
                        f'created, as the reader would')
    elif names:
        log.info('removed what the failed page left: %s', ', '.join(names))
