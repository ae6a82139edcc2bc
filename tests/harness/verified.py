"""The "verified" stamp of each page: when all of its blocks last passed, and on which versions.

Two records per page, both written by the runner from a real run, never typed:
- build/verified/<section>/<topic>.yaml: the last run of the page on this machine, passed or not
  (not committed: a CI job builds the site it publishes after its own test run);
- tests/captures/<section>/<topic>.yaml: the run its shown outputs come from (`--update-output`
  writes it only when every block passed; committed, so a fresh clone's `mkdocs serve` has it).
The site (hooks/verified.py) shows the newer of the two, and says so instead when that run failed,
when the page's blocks or snippets changed since, or when there is no record.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import yaml

from tests.harness import captures
from tests.harness.pages import SKIP_NEXT, Page

RUN_RECORDS = Path('build') / 'verified'


def run_record_path(page: Page) -> Path:
    return page.root / RUN_RECORDS / page.topic.with_suffix('.yaml')


def content_hash(page: Page) -> str:
    """What a run verifies: the page's code blocks as shown (includes expanded, skip markers and
    their titles in the info) and every file of its snippet folder. Prose does not count."""
    digest = hashlib.sha256()
    for fence in page.fences:
        digest.update(f'{fence.info}\n{fence.text}\n'.encode())
    if page.snippet_dir.is_dir():
        for path in sorted(p for p in page.snippet_dir.rglob('*') if p.is_file()):
            digest.update(str(path.relative_to(page.snippet_dir)).encode() + b'\0' + path.read_bytes())
    return 'sha256:' + digest.hexdigest()


def block_counts(page: Page) -> tuple[int, int]:
    """(blocks a full run runs, blocks marked "skip: next" as not verified by CI)."""
    skipped = sum(1 for line in page.text.split('\n') if SKIP_NEXT.match(line))
    return sum(1 for fence in page.fences if fence.runnable) - skipped, skipped


def record(page: Page, *, blocks: int, not_verified: int, failed_at: int | None, problem: str | None,
           versions: dict[str, str]) -> dict:
    result = {'page': str(page.rel),
              'date': datetime.now(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
              'result': 'passed' if failed_at is None and problem is None else 'failed',
              'blocks': blocks, 'not-verified': not_verified,
              'content': content_hash(page), 'versions': versions}
    if failed_at is not None:
        result['failed-at'] = failed_at
    if problem is not None:
        result['problem'] = problem
    return result


def write_run(page: Page, entry: dict) -> Path:
    path = run_record_path(page)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('# The last run of this page on this machine (tests/harness/verified.py).\n'
                    + yaml.safe_dump(entry, sort_keys=False, allow_unicode=True), encoding='utf-8')
    return path


def latest(page: Page) -> dict | None:
    """The newer of the page's run record and capture record, or None when it has neither."""
    found = []
    for path in (run_record_path(page), captures.path_for(page)):
        if path.exists():
            entry = yaml.safe_load(path.read_text(encoding='utf-8')) or {}
            if 'date' in entry:
                found.append(entry)
    return max(found, key=lambda entry: entry['date'], default=None)


def measure_versions(tier: str, env: dict[str, str]) -> dict[str, str]:
    """The versions this run talks to, asked of the running engine and cluster (not versions.env)."""
    def ask(*argv: str, **extra: str) -> str:
        done = subprocess.run(argv, env=dict(env, **extra), capture_output=True, text=True, timeout=60)
        return done.stdout.strip() if done.returncode == 0 else 'unknown'

    versions = {'Docker Engine': ask('docker', 'version', '--format', '{{.Server.Version}}'),
                'Docker Compose': ask('docker', 'compose', 'version', '--short')}
    if tier == 'kind':
        kind = ask('kind', 'version').split()
        versions['kind'] = kind[1] if len(kind) > 1 else 'unknown'
        server = ask('kubectl', 'version', '-o', 'json', KUBECONFIG=env.get('KUBECONFIG_LAB', ''))
        try:
            versions['Kubernetes'] = json.loads(server)['serverVersion']['gitVersion']
        except (ValueError, KeyError):
            versions['Kubernetes'] = 'unknown'
    return versions


