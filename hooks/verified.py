"""MkDocs hook: the "verified" stamp under each page's title, in both languages.

It reads the records the test runner writes (tests/harness/verified.py): the newer of this machine's
last run of the page (build/verified/) and the run its outputs were captured from (tests/captures/).
Only the Chinese pages run; an English twin shows the stamp of its Chinese page, whose code blocks
and snippets it shares (the static tier checks that).
"""
from __future__ import annotations

import posixpath
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.harness import verified  # noqa: E402
from tests.harness.pages import read_page  # noqa: E402

TEXT = {
    'zh': {
        'no-blocks': '本页没有需要运行的命令。',
        'no-record': '本页的命令还没有运行记录，尚未验证。',
        'passed': '已验证：本页 {blocks} 个代码块于 {date} 全部通过，运行在 {versions} 上。',
        'not-verified': '另有 {count} 个代码块标明了未经验证。',
        'changed': '未验证：本页的代码块在 {date} 全部通过之后有改动，改动后还没有运行过。',
        'failed-at': '未通过：本页在 {date} 的运行中，第 {line} 行的代码块失败。',
        'failed': '未通过：本页在 {date} 的运行中，代码块都通过了，但运行后的清理检查没有通过。',
        'how': '验证方法',
        'join': '、',
    },
    'en': {
        'no-blocks': 'This page has no commands to run.',
        'no-record': 'No run of this page is on record: not verified yet.',
        'passed': 'Verified: all {blocks} code blocks of this page passed on {date}, on {versions}.',
        'passed-one': 'Verified: the one code block of this page passed on {date}, on {versions}.',
        'not-verified': '{count} more are marked as not verified.',
        'not-verified-one': 'One more is marked as not verified.',
        'changed': 'Not verified: the code blocks of this page changed after they all passed on {date} '
                   'and have not run since.',
        'failed-at': 'Failing: in the run of {date}, the code block at line {line} of this page failed.',
        'failed': 'Failing: in the run of {date}, every code block passed but the cleanup check after '
                  'the page did not.',
        'how': 'How pages are verified',
        'join': ', ',
    },
}


def stamp(lang: str, page_path: Path, root: Path = ROOT) -> str:
    """The stamp of docs/<lang>/<page_path>, from its Chinese page's records."""
    text = TEXT.get(lang, TEXT['en'])
    zh = root / 'docs' / 'zh' / page_path
    if not zh.exists():
        return text['no-record']
    page = read_page(zh, root)
    blocks, not_verified = verified.block_counts(page)
    if blocks == 0:
        return text['no-blocks']
    entry = verified.latest(page)
    if entry is None:
        return text['no-record']
    date = str(entry['date'])[:10]
    if entry.get('result') != 'passed':
        line = entry.get('failed-at')
        return text['failed-at'].format(date=date, line=line) if line else text['failed'].format(date=date)
    if entry.get('content') != verified.content_hash(page):
        return text['changed'].format(date=date)
    versions = text['join'].join(f'{name} {value}' for name, value in entry.get('versions', {}).items())
    count = entry.get('blocks', blocks)
    line = text[_singular(text, 'passed', count)].format(blocks=count, date=date, versions=versions)
    if entry.get('not-verified'):
        count = entry['not-verified']
        line += ' ' + text[_singular(text, 'not-verified', count)].format(count=count)
    return line


def _singular(text: dict, key: str, count: int) -> str:
    """English says "one block is", Chinese has no plural: KEY-one where the language has it."""
    return f'{key}-one' if count == 1 and f'{key}-one' in text else key


def on_page_markdown(markdown: str, page, config, files, **kwargs) -> str:
    rel = Path(page.file.abs_src_path).resolve().relative_to(ROOT / 'docs')
    lang, page_path = rel.parts[0], Path(*rel.parts[1:])
    testing = posixpath.relpath('reference/testing.md', posixpath.dirname(page_path.as_posix()) or '.')
    line = f'{stamp(lang, page_path)} [{TEXT.get(lang, TEXT["en"])["how"]}]({testing}#verified-stamp)'
    paragraph = f'{line}\n{{ .verified-stamp }}\n'
    lines = markdown.split('\n')
    title = next((i for i, text in enumerate(lines) if text.startswith('# ')), None)
    if title is None:
        return paragraph + '\n' + markdown
    return '\n'.join(lines[:title + 1] + ['', paragraph] + lines[title + 1:])
