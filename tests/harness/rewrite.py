"""`--update-output`: the shown output of every console command of a page, replaced by what one run of
the whole page printed. Edits are collected while the page runs and written only when every block of
the page passed, so a page never mixes lines of two runs.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from tests.harness import transcript
from tests.harness.pages import Fence

log = logging.getLogger('harness.rewrite')


@dataclass(frozen=True)
class Edit:
    path: Path
    start: int          # 0-based index of the first file line replaced
    stop: int           # 0-based index after the last one
    lines: tuple[str, ...]


def edit_for(fence: Fence, command: transcript.Command, real: str) -> Edit:
    """The edit that puts real in place of the command's shown output, in the file its lines come from."""
    new = tuple(real.rstrip('\n').split('\n')) if real.strip() else ()
    if not command.output:
        after = fence.origins[command.output.start - 1]   # the command's last line
        return Edit(after.path, after.line, after.line, new)
    origins = [fence.origins[i] for i in command.output]
    numbers = [origin.line for origin in origins]
    if len({origin.path for origin in origins}) != 1 or numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        raise ValueError(f'cannot rewrite the output of "$ {command.text}": its lines are not one run of lines '
                         f'in one file ({", ".join(map(str, origins))})')
    return Edit(origins[0].path, numbers[0] - 1, numbers[-1], new)


def apply(edits: list[Edit]) -> None:
    """Write the edits, last lines first so that earlier line numbers stay valid."""
    unique = set(edits)
    places = [(e.path, e.start, e.stop) for e in unique]
    if len(places) != len(set(places)):
        raise ValueError('one snippet is included twice on the page and the two runs printed different '
                         'outputs: include it once')
    for edit in sorted(unique, key=lambda e: (str(e.path), e.start), reverse=True):
        lines = edit.path.read_text(encoding='utf-8').split('\n')
        lines[edit.start:edit.stop] = edit.lines
        edit.path.write_text('\n'.join(lines), encoding='utf-8')
    for path in sorted({e.path for e in unique}):
        log.info('rewrote the outputs in %s', path)
