"""The record of the run a page's transcripts were captured from: tests/captures/<section>/<topic>.yaml.

`--update-output` writes it together with the page's outputs, from the same run. It holds the facts
of the machine that run happened on (its kernel release) so that a transcript showing them passes on
another machine, where they must read as that machine's own (transcript.compare), and the page's
verified record of that run: when, on which versions, over which content (tests/harness/verified.py).
"""
from __future__ import annotations

import os
from pathlib import Path

import yaml

from tests.harness.pages import Page

# What a page may print of the machine it runs on; each is compared as "this machine's".
HOST_FACTS = {'kernel-release': lambda: os.uname().release}


def path_for(page: Page) -> Path:
    return page.root / 'tests' / 'captures' / page.topic.with_suffix('.yaml')


def host_facts(page: Page) -> dict[str, tuple[str, str]]:
    """fact -> (value on the machine the page was captured on, value here)."""
    path = path_for(page)
    recorded = (yaml.safe_load(path.read_text(encoding='utf-8')) or {}).get('host', {}) if path.exists() else {}
    return {name: (str(recorded[name]), fact()) for name, fact in HOST_FACTS.items() if recorded.get(name)}


def write(page: Page, run: dict) -> Path:
    """run: the page's verified record of that run (tests/harness/verified.py)."""
    path = path_for(page)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = dict(run, host={name: fact() for name, fact in HOST_FACTS.items()})
    path.write_text('# Written by `pytest --update-output` with the outputs of the page (one run).\n'
                    + yaml.safe_dump(record, sort_keys=False, allow_unicode=True), encoding='utf-8')
    return path
