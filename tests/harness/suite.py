"""The whole test session's scope: nothing the suite created is left on the engine or the cluster,
even when a session was killed before it could clean up.

From the first docker or kind test on, DOCKER_HOST points every test at a recording proxy; pages get a
proxy of their own and hand over here only what their cleanup could not remove. Everything recorded
is also appended to a journal in the lab's state folder as it happens: the next session removes what
a killed one (SIGKILL, a CI time limit) left, and says so. The last test item of a session that ran
docker or kind tests is the final check, so a leak is a failed test case (in junit.xml too).
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import tempfile
from datetime import datetime
from pathlib import Path

import pytest
from filelock import FileLock, Timeout

from tests.harness import docker_scope, verified
from tests.harness.lab import lab_env

log = logging.getLogger('harness.suite')
SUITE = pytest.StashKey['SuiteScope']()


class Journal:
    """This session's record of what it created, in <folder>/<name>.jsonl, locked while the session lives."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=folder, prefix=f'{os.getpid()}-', suffix='.jsonl')
        self.path = Path(name)
        self._file = os.fdopen(handle, 'a', encoding='utf-8')
        fcntl.flock(self._file, fcntl.LOCK_EX)

    def docker(self, kind: str, value: str) -> None:
        self._write({'docker': kind, 'value': value})

    def kube_page(self, namespace: str, since: datetime) -> None:
        self._write({'namespace': namespace, 'since': since.isoformat()})

    def _write(self, entry: dict) -> None:
        self._file.write(json.dumps(entry) + '\n')
        self._file.flush()

    def close(self) -> None:
        self.path.unlink(missing_ok=True)
        self._file.close()

    @staticmethod
    def orphans(folder: Path) -> list[tuple[Path, list[dict]]]:
        """The journals of sessions that ended without cleaning up: nobody holds their lock."""
        found = []
        for path in sorted(folder.glob('*.jsonl')):
            with path.open(encoding='utf-8') as journal:
                try:
                    fcntl.flock(journal, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue   # a live session's
                found.append((path, [json.loads(line) for line in journal if line.strip()]))
        return found


class SuiteScope:
    def __init__(self):
        self.engine: str | None = None
        self.recorder: docker_scope.Recorder | None = None
        self.journal: Journal | None = None
        self.cluster = None
        self.cluster_before = None
        self._proxy: docker_scope.EngineProxy | None = None
        self._docker_host: str | None = None
        self._orphans: list[tuple[Path, list[dict]]] = []
        self._finished = False
        self._versions: dict[str, dict[str, str]] = {}

    def versions(self, tier: str) -> dict[str, str]:
        """What the pages of a tier run on, asked once per session (for the pages' verified stamps)."""
        if tier not in self._versions:
            self._versions[tier] = verified.measure_versions(tier, lab_env())
        return self._versions[tier]

    def start(self, kube: bool, say=print) -> None:
        state = Path(lab_env()['LAB_STATE'])
        if self.recorder is None:
            self._orphans = Journal.orphans(state / 'journal')
            self.journal = Journal(state / 'journal')
            self.engine = docker_scope.engine_socket(lab_env())
            self._clean_orphans_docker(say)
            self.recorder = docker_scope.Recorder(self.engine, on_add=self.journal.docker)
            self._proxy = docker_scope.EngineProxy(self.recorder).__enter__()
            self._docker_host = os.environ.get('DOCKER_HOST')
            os.environ['DOCKER_HOST'] = self._proxy.docker_host
            # Every docker, kind and kubectl a test runs is the lab's, whatever else is on PATH.
            os.environ['PATH'] = lab_env()['PATH']
        if kube and self.cluster is None:
            from tests.harness.kube_scope import Cluster

            # Cluster-wide objects carry no page's name: one session at a time uses the shared cluster.
            _lock_cluster(state / 'cluster.lock', say)
            self.cluster = Cluster(Path(lab_env()['KUBECONFIG_LAB']))
            self._clean_orphans_kube(say)
            self.cluster_before = self.cluster.cluster_objects()

    def _clean_orphans_docker(self, say) -> None:
        for path, entries in self._orphans:
            created = docker_scope.Created()
            for entry in entries:
                if 'docker' in entry:
                    getattr(created, entry['docker']).add(entry['value'])
            cleanup = docker_scope.clean_up(created, lab_env())
            removed = '; '.join(filter(None, [cleanup.leak_message(), ', '.join(cleanup.images)]))
            say(f'removed what an interrupted test session left on the engine ({path.name}): {removed or "nothing was left"}')
            for error in cleanup.errors:
                say(f'  could not remove: {error}')
            if not any('namespace' in entry for entry in entries):
                path.unlink()

    def _clean_orphans_kube(self, say) -> None:
        for path, entries in self._orphans:
            pages = [entry for entry in entries if 'namespace' in entry]
            if not pages or not path.exists():
                continue
            since = min(datetime.fromisoformat(entry['since']) for entry in pages)
            created = self.cluster.created_by_readers(since=since)
            for namespace in sorted({entry['namespace'] for entry in pages}):
                self.cluster.delete_namespace(namespace)
            errors = self.cluster.remove(created)
            names = [f'namespace {entry}' for entry in sorted({e['namespace'] for e in pages})]
            names += [f'{kind} {name}' for _, kind, name in sorted(created)]
            say(f'removed what an interrupted test session left on the cluster ({path.name}): {", ".join(names)}')
            for error in errors:
                say(f'  could not remove: {error}')
            path.unlink()

    def finish(self) -> list[str]:
        """Remove and name what the session left; runs once, and survives a dead engine or cluster."""
        if self._finished:
            return []
        self._finished = True
        problems = []
        if self.recorder is not None:
            self._proxy.__exit__(None, None, None)
            if self._docker_host is None:
                os.environ.pop('DOCKER_HOST', None)
            else:
                os.environ['DOCKER_HOST'] = self._docker_host
            try:
                cleanup = docker_scope.clean_up(self.recorder.created, lab_env())
                if cleanup.leak_message():
                    problems.append(f'docker: {cleanup.leak_message()}')
                problems.extend(f'docker cleanup: {error}' for error in cleanup.errors)
            except Exception as error:  # the engine went away: say so, and still check the cluster
                problems.append(f'docker: could not check what is left ({type(error).__name__}: {error})')
        if self.cluster is not None:
            try:
                problems.extend(self._kube_leftovers())
            except Exception as error:  # the cluster went away: say so instead of a traceback
                problems.append(f'kube: could not check what is left ({type(error).__name__}: {error})')
            finally:
                self.cluster.close()
                _unlock_cluster()
        if self.journal is not None and not problems:
            self.journal.close()   # kept otherwise: the next session tries again
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


# One per process, reentrant: the runner's own tests run sessions inside a session.
_cluster_lock: FileLock | None = None


def _lock_cluster(path: Path, say) -> None:
    global _cluster_lock
    if _cluster_lock is None:
        _cluster_lock = FileLock(path)
    try:
        _cluster_lock.acquire(timeout=0)
    except Timeout:
        say(f'waiting for another test session to release {path}')
        _cluster_lock.acquire()


def _unlock_cluster() -> None:
    _cluster_lock.release()


class LeakCheck(pytest.Item):
    """The session's last item: what the whole session left behind, removed and named."""

    def runtest(self) -> None:
        problems = self.config.stash[SUITE].finish()
        if problems:
            raise LeftBehind(problems)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, LeftBehind):
            return 'left behind by the test suite (removed now):\n' + '\n'.join(excinfo.value.args[0])
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, self.name


class LeftBehind(Exception):
    pass
