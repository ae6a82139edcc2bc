"""hooks/cjk_breaks.py: a line break between two Chinese characters is not shown as a space."""
from __future__ import annotations

import importlib.util

import pytest

from tests.static.tools import REPO

pytestmark = pytest.mark.static

_spec = importlib.util.spec_from_file_location('cjk_breaks', REPO / 'hooks' / 'cjk_breaks.py')
hook = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hook)


@pytest.mark.parametrize('html, shown', [
    ('<p>容器的生命周期和主进程\n绑在一起。</p>', '<p>容器的生命周期和主进程绑在一起。</p>'),
    ('<li>第一行，\n    第二行</li>', '<li>第一行，第二行</li>'),                      # indented continuation
    ('<p>运行 Docker\n的机器</p>', '<p>运行 Docker\n的机器</p>'),                      # Latin before the break
    ('<p>two\nlines</p>', '<p>two\nlines</p>'),
    ('<pre><code>第一行\n第二行</code></pre><p>甲\n乙</p>', '<pre><code>第一行\n第二行</code></pre><p>甲乙</p>'),
    ('<svg><text>图\n例</text></svg>', '<svg><text>图\n例</text></svg>'),
])
def test_only_breaks_between_wide_characters_outside_code_go(html, shown):
    assert hook.join_cjk_breaks(html) == shown
