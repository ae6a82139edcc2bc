"""The Sybil parser of a page: a region for each runnable fence, and the `<!-- skip: next -->` markers."""
from __future__ import annotations

import functools
from pathlib import Path

from sybil import Region, Sybil
from sybil.parsers.markdown import SkipParser

from tests.harness.evaluators import run_console, run_script
from tests.harness.pages import NOT_VERIFIED, SKIP_NEXT, read_page


@functools.cache
def sybil(root: Path) -> Sybil:
    return Sybil(parsers=[PageParser(root)], path=str(root / 'docs' / 'zh'), pattern='*.md',
                 fixtures=['page_run'])


class PageParser:
    def __init__(self, root: Path):
        self.root = root
        self.skips = SkipParser()

    def __call__(self, document):
        page = read_page(Path(document.path), self.root)
        for fence in page.fences:
            if fence.runnable:
                evaluator = run_console if fence.language == 'console' else run_script
                yield Region(fence.start, fence.end, fence, evaluator)
        lines = document.text.split('\n')
        for region in self.skips(document):
            line = _line(document.text, region.start)
            following = next((f for f in page.fences if f.start > region.start), None)
            if not SKIP_NEXT.match(lines[line - 1]):
                raise ValueError(f'{page.rel}:{line}: the only skip marker is "<!-- skip: next -->" on a line '
                                 f'of its own')
            if following is None or not following.runnable:
                raise ValueError(f'{page.rel}:{line}: "skip: next" must sit right above a bash, sh or '
                                 f'console block')
            # Sybil passes a bare "skip: next" as if the block had run; report it as skipped instead.
            region.parsed = ('next', repr(_skip_reason(document.text, region.start)))
            yield region


def _skip_reason(text: str, position: int) -> str:
    titles = NOT_VERIFIED.findall(text, 0, position)
    return f'not verified by CI: {titles[-1]}' if titles else 'marked "skip: next" on the page'


def _line(text: str, position: int) -> int:
    return text.count('\n', 0, position) + 1
