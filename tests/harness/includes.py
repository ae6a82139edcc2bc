"""Expand `--8<--` includes exactly as MkDocs does.

The expansion is pymdownx's own snippet preprocessor, configured from mkdocs.yml, so the tests
see and run the very text a reader sees on the page.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import markdown
import yaml

REPO = Path(__file__).resolve().parents[2]

# A block-style include line: optional indentation, --8<--, a quoted path (with optional :section).
INCLUDE_LINE = re.compile(r'^(?P<space>[ \t]*)-{1,}8<-{1,}[ \t]+(?P<quote>["\'])(?P<target>.+?)(?P=quote)[ \t]*$')


class _IgnorePythonTags(yaml.SafeLoader):
    """mkdocs.yml holds !!python tags (slugify, fence formats) and !ENV values (site_url) that are
    irrelevant here."""


_IgnorePythonTags.add_multi_constructor('tag:yaml.org,2002:python/', lambda loader, suffix, node: None)
_IgnorePythonTags.add_constructor('!ENV', lambda loader, node: None)


def snippet_config(root: Path = REPO) -> dict:
    """The pymdownx.snippets settings of root/mkdocs.yml, with base paths made absolute."""
    config = yaml.load((root / 'mkdocs.yml').read_text(encoding='utf-8'), Loader=_IgnorePythonTags)
    for ext in config.get('markdown_extensions', []):
        if isinstance(ext, dict) and 'pymdownx.snippets' in ext:
            settings = dict(ext['pymdownx.snippets'] or {})
            break
    else:
        raise ValueError(f'{root / "mkdocs.yml"}: pymdownx.snippets is not configured')
    bases = settings.get('base_path', ['.'])
    settings['base_path'] = [str(root / b) for b in ([bases] if isinstance(bases, str) else bases)]
    return settings


@functools.lru_cache(maxsize=None)
def _preprocessor(root: Path):
    md = markdown.Markdown(extensions=['pymdownx.snippets'],
                           extension_configs={'pymdownx.snippets': snippet_config(root)})
    return md.preprocessors['snippet']


def expand(text: str, root: Path = REPO) -> str:
    """Text with every include replaced by the included lines (raises SnippetMissingError)."""
    return '\n'.join(_preprocessor(root).run(text.split('\n')))


@dataclass(frozen=True)
class Include:
    target: str        # as written on the page, e.g. "docker/images/run.sh:build"
    path: Path | None  # the file it resolves to, None when no base path holds it
    line: int          # 1-based line of the include within the text given


def includes(text: str, root: Path = REPO) -> list[Include]:
    """The block-style includes written in text, resolved against the snippet base paths."""
    pre = _preprocessor(root)
    found = []
    for number, line in enumerate(text.split('\n'), start=1):
        m = INCLUDE_LINE.match(line)
        if not m or m.group('target').startswith(';'):
            continue
        # The file part of "path:section" or "path:12:20", split as the preprocessor splits it.
        path = pre.RE_SNIPPET_FILE.match(m.group('target')).group(1).strip()
        resolved = pre.get_snippet_path(path) if path else None
        found.append(Include(m.group('target'), Path(resolved) if resolved else None, number))
    return found
