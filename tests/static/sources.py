"""CONTRIBUTING.md's rules for pages and snippets, checked on the sources of a tree."""
from __future__ import annotations

import itertools
import re
from pathlib import Path

import yaml
from pymdownx.snippets import SnippetMissingError

from tests.harness import includes
from tests.harness import pages as harness_pages
from tests.static.tree import (LANGUAGES, all_page_paths, front_matter_lines, headings, load_pages,
                               page_paths, problem, yaml_error)

# Diagrams and plain text may be written on the page; everything else comes from snippets/.
INLINE_ALLOWED = ('mermaid', 'text')
SKIP_COMMENT = re.compile(r'<!--\s*skip\s*:')
SKIP_NEXT, NOT_VERIFIED = harness_pages.SKIP_NEXT, harness_pages.NOT_VERIFIED
OPENING_FENCE = re.compile(r'^[ \t]*(`{3,}|~{3,})')


def inline_fences(root: Path) -> list[str]:
    """Fences whose body is anything but include lines, outside the allowed languages."""
    found = []
    for page in load_pages(root):
        for fence in page.fences:
            if fence.language in INLINE_ALLOWED:
                continue
            body = [line for line in fence.source.split('\n') if line.strip()]
            if any(not includes.INCLUDE_LINE.match(line) for line in body):
                shown = f'```{fence.language}' if fence.language else 'a fence without a language'
                found.append(problem(root, page.path, fence.line,
                                     f'{shown} written on the page: put it in snippets/ and include it '
                                     f'(only {", ".join(INLINE_ALLOWED)} may be inline)'))
    return found


def unresolved_includes(root: Path) -> list[str]:
    """Includes naming a file, or a section of it, that is not there."""
    found = []
    for path in all_page_paths(root):
        lines = path.read_text(encoding='utf-8').split('\n')
        for include in includes.includes('\n'.join(lines), root):
            if include.path is None:
                found.append(problem(root, path, include.line,
                                     f'includes missing snippet "{include.target}"'))
                continue
            try:
                includes.expand(lines[include.line - 1], root)
            except SnippetMissingError as error:
                found.append(problem(root, path, include.line, f'include "{include.target}": {error}'))
    return found


def unused_snippets(root: Path) -> list[str]:
    """Files in snippets/ that no page includes."""
    used = {include.path.resolve()
            for path in all_page_paths(root)
            for include in includes.includes(path.read_text(encoding='utf-8'), root)
            if include.path}
    return [problem(root, path, 1, 'included by no page')
            for path in sorted((root / 'snippets').rglob('*'))
            if path.is_file() and path.resolve() not in used]


def language_parity(root: Path) -> list[str]:
    """Every page has a twin in the other language with the same includes and headings."""
    found = []
    zh, en = ({p.relative_to(root / 'docs' / lang) for p in page_paths(root, lang)} for lang in LANGUAGES)
    for rel in sorted(zh - en):
        found.append(problem(root, root / 'docs/zh' / rel, 1, f'no English twin docs/en/{rel}'))
    for rel in sorted(en - zh):
        found.append(problem(root, root / 'docs/en' / rel, 1, f'no Chinese twin docs/zh/{rel}'))
    for rel in sorted(zh & en):
        found += _twin_drift(root, root / 'docs/zh' / rel, root / 'docs/en' / rel)
    return found


def _twin_drift(root: Path, zh_path: Path, en_path: Path) -> list[str]:
    zh_text, en_text = (p.read_text(encoding='utf-8') for p in (zh_path, en_path))
    found = _first_difference(root, zh_path, en_path, 'include',
                              *([(i.line, f'"{i.target}"') for i in includes.includes(t, root)]
                                for t in (zh_text, en_text)))
    try:
        zh_page, en_page = (harness_pages.read_page(p, root) for p in (zh_path, en_path))
    except (SnippetMissingError, yaml.YAMLError):
        return found
    return found + _first_difference(root, zh_path, en_path, 'heading',
                                     *([(line, f'h{level}') for level, line in headings(page)]
                                       for page in (zh_page, en_page)))


def _first_difference(root: Path, zh_path: Path, en_path: Path, kind: str,
                      zh_items: list[tuple[int, str]], en_items: list[tuple[int, str]]) -> list[str]:
    """The first position where the twins' (line, what) lists differ in what."""
    for index, (zh_one, en_one) in enumerate(itertools.zip_longest(zh_items, en_items)):
        if zh_one and en_one and zh_one[1] == en_one[1]:
            continue
        en_rel = en_path.relative_to(root)
        here = zh_one[1] if zh_one else 'none'
        there = f'{en_one[1]} at {en_rel}:{en_one[0]}' if en_one else f'none in {en_rel}'
        line = zh_one[0] if zh_one else (zh_items[-1][0] if zh_items else 1)
        return [problem(root, zh_path, line, f'{kind} #{index + 1} differs from the English twin: '
                                             f'{here} here, {there}')]
    return []


def skip_markers(root: Path) -> list[str]:
    """`<!-- skip: next -->` only, right before a fence, under a visible `!!! not-verified`."""
    found = []
    for path in all_page_paths(root):
        lines = path.read_text(encoding='utf-8').split('\n')
        for index, line in enumerate(lines):
            if not SKIP_COMMENT.search(line):
                continue
            m = SKIP_NEXT.match(line)
            if not m:
                found.append(problem(root, path, index + 1, 'the only skip allowed is "<!-- skip: next -->" '
                                                            'on a line of its own'))
                continue
            following = next((l for l in lines[index + 1:] if l.strip()), '')
            if not OPENING_FENCE.match(following):
                found.append(problem(root, path, index + 1, 'a skip must be followed by the fence it skips'))
            if not _under_not_verified(lines, index, len(m.group('indent'))):
                found.append(problem(root, path, index + 1,
                                     'a skipped block must sit in or right under a visible '
                                     '"!!! not-verified" admonition'))
    return found


def _under_not_verified(lines: list[str], index: int, indent: int) -> bool:
    """The skip is inside a not-verified admonition, or right after one at its own level."""
    sibling_seen = False
    for line in reversed(lines[:index]):
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip())
        if depth < indent:
            return NOT_VERIFIED.match(line) is not None
        if depth == indent and not sibling_seen:
            sibling_seen = True
            if NOT_VERIFIED.match(line):
                return True
    return False


def tiers(root: Path) -> list[str]:
    """Front matter is YAML with known keys and values (pages.FRONT_MATTER_KEYS), and pages outside the tiers' folders that run
    blocks say which tier they run in."""
    found = []
    for path in all_page_paths(root):
        text = path.read_text(encoding='utf-8')
        try:
            harness_pages.front_matter(text)
        except yaml.YAMLError as error:
            line, message = yaml_error(error, 2)
            found.append(problem(root, path, line, f'front matter is not YAML: {message}'))
    for page in load_pages(root):
        front_matter = page.text.split('\n')[:front_matter_lines(page.text)]
        problems = page.format_problems()
        for key, message in problems:
            line = next((n for n, text in enumerate(front_matter, 1) if text.startswith(f'{key}:')), 1)
            found.append(problem(root, page.path, line, message))
        if problems:
            continue
        tier = page.tier
        runnable = [fence for fence in page.fences if fence.runnable and not _skipped(page, fence)]
        if runnable and tier is None:
            found.append(problem(root, page.path, runnable[0].line,
                                 f'```{runnable[0].language} runs, but the page is in no tier: add front matter '
                                 f'"tier: docker" or "tier: kind"'))
    return found


def _skipped(page: harness_pages.Page, fence: harness_pages.Fence) -> bool:
    before = [line for line in page.text.split('\n')[:fence.line - 1] if line.strip()]
    return bool(before) and SKIP_NEXT.match(before[-1]) is not None
