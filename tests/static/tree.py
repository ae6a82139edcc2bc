"""The pages of a site tree, as the static checks read them.

A tree is any directory holding mkdocs.yml, docs/<lang>/ and snippets/: the repository itself, or
one of the small trees under tests/fixtures/static/. Problems are strings `path:line: what is wrong`,
with the path relative to the tree.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml
from pymdownx.snippets import SnippetMissingError

from tests.harness import pages as harness_pages

LANGUAGES = ('zh', 'en')
HEADING = re.compile(r'^(#{1,6})[ \t]+\S')


def problem(root: Path, path: Path, line: int, message: str) -> str:
    return f'{path.relative_to(root)}:{line}: {message}'


def by_location(found: str) -> tuple[str, int]:
    """Sort key of a problem: its file, then its line."""
    path, line, _ = found.split(':', 2)
    return path, int(line)


def yaml_error(error: yaml.YAMLError, first_line: int) -> tuple[int, str]:
    """The file line and a one-line description of a YAML error; first_line is the file line of the
    YAML text's first line."""
    mark = getattr(error, 'problem_mark', None)
    if mark is None:
        return first_line, str(error)
    context = getattr(error, 'context', None)
    context_mark = getattr(error, 'context_mark', None)
    where = f' ({context} that starts on line {context_mark.line + first_line})' if context and context_mark else ''
    return mark.line + first_line, f'{error.problem}{where}'


def page_paths(root: Path, language: str) -> list[Path]:
    return sorted((root / 'docs' / language).rglob('*.md'))


def all_page_paths(root: Path) -> list[Path]:
    return [path for language in LANGUAGES for path in page_paths(root, language)]


def load_pages(root: Path) -> list[harness_pages.Page]:
    """Every page of both languages that can be read.

    A page including a missing snippet, or with front matter that is not YAML, cannot be read: those
    two faults are reported, with their line, by the checks in sources.py.
    """
    loaded = []
    for path in all_page_paths(root):
        try:
            loaded.append(harness_pages.read_page(path, root))
        except (SnippetMissingError, yaml.YAMLError):
            continue
    return loaded


def front_matter_lines(text: str) -> int:
    """How many lines the front matter takes at the top of a page (0 when there is none)."""
    m = harness_pages.FRONT_MATTER.match(text)
    return m.group(0).count('\n') if m else 0


def fence_lines(page: harness_pages.Page) -> set[int]:
    """The page lines taken by fences, from the opening to the closing fence."""
    taken = set()
    for fence in page.fences:
        last = page.text.count('\n', 0, fence.end) + 1
        taken.update(range(fence.line, last + 1))
    return taken


def headings(page: harness_pages.Page) -> list[tuple[int, int]]:
    """(level, line) of each ATX heading outside fences and front matter."""
    skip = fence_lines(page) | set(range(1, front_matter_lines(page.text) + 1))
    found = []
    for number, line in enumerate(page.text.split('\n'), start=1):
        m = HEADING.match(line)
        if m and number not in skip:
            found.append((len(m.group(1)), number))
    return found
