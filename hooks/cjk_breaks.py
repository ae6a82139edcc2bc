"""MkDocs hook: no space where a Chinese paragraph breaks across source lines.

A line break inside a paragraph stays in the HTML, and browsers show it as a space, also between
two Chinese characters (CSS Text 3 says to drop it there; no browser does: w3c/csswg-drafts#5086).
So a break between two wide characters (East Asian Width F or W: ideographs, full-width
punctuation) is removed, as markdown-it-cjk-breaks does for markdown-it; Python-Markdown has no
kept extension that does only this. Code blocks and drawn diagrams are left as they are.
"""
from __future__ import annotations

import re
import unicodedata

# A line break with the indentation after it, between two non-space characters.
_BREAK = re.compile(r'(?<=(\S))\n[ \t]*(?=(\S))')
# Where text is shown as written: code blocks and the SVG of diagrams.
_VERBATIM = re.compile(r'(<pre\b.*?</pre>|<svg\b.*?</svg>)', re.S)


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ('F', 'W')


def _join(match: re.Match) -> str:
    return '' if _wide(match[1]) and _wide(match[2]) else match[0]


def join_cjk_breaks(html: str) -> str:
    parts = _VERBATIM.split(html)
    # split() with a group keeps the verbatim parts at the odd indexes.
    return ''.join(part if i % 2 else _BREAK.sub(_join, part) for i, part in enumerate(parts))


def on_page_content(html: str, **kwargs) -> str:
    return join_cjk_breaks(html)
