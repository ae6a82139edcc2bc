"""The built site: a strict build of both languages, and no request to any other host when read."""
from __future__ import annotations

import bisect
import functools
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import tinycss2

from tests.static.tree import by_location

# MkDocs names the page of a broken link, not its line: the line is found from the link's target.
LINK_WARNING = re.compile(r"Doc file '(?P<page>[^']+)' contains .*?link '(?P<target>[^']+)'")
PAGE_ERROR = re.compile(r"Error reading page '(?P<page>[^']+)'")
LOADING_RELS = {'stylesheet', 'icon', 'apple-touch-icon', 'mask-icon', 'manifest',
                'preload', 'modulepreload', 'prefetch', 'preconnect', 'dns-prefetch'}
LOADING_ATTRIBUTES = {('script', 'src'), ('img', 'src'), ('img', 'srcset'), ('source', 'src'),
                      ('source', 'srcset'), ('iframe', 'src'), ('frame', 'src'), ('video', 'src'),
                      ('video', 'poster'), ('audio', 'src'), ('track', 'src'), ('embed', 'src'),
                      ('object', 'data'), ('input', 'src'), ('image', 'href')}
# A string literal in JavaScript that is an absolute URL: with a scheme, or protocol-relative with
# a host written out (`//${uri.authority}...` formats a URI, it names no host).
JS_URL = re.compile(r'''(["'`])(https?://[^"'`\s\\]+|//[\w.-]+[^"'`\s\\]*)\1''')
# Names, not addresses: browsers never request XML namespaces.
XML_NAMESPACE = re.compile(r'^http://www\.w3\.org/(2000/svg|2000/xmlns/|1999/xhtml|1999/xlink|'
                           r'1998/Math/MathML|XML/1998/namespace)$')
# Material's bundle loads mermaid from a CDN when, on DOMContentLoaded, window.mermaid is undefined.
MERMAID_FALLBACK = re.compile(r'^https://unpkg\.com/mermaid@[\d.]+/dist/mermaid\.min\.js$')
MERMAID_GUARD = 'typeof mermaid=="undefined"'
# Requested only by browsers without ResizeObserver (before Chrome 64, Firefox 69, Safari 13.1).
RESIZE_OBSERVER_POLYFILL = 'https://unpkg.com/resize-observer-polyfill'
# The repository facts of the header's source link, requested only on pages that have that link.
REPOSITORY_FACTS = re.compile(r'^https://(api\.github\.com/|\$\{\w+\}/api/v4/projects/)')


def build(root: Path, site_dir: Path) -> list[str]:
    """`mkdocs build --strict` of root into site_dir; each warning is a problem."""
    return build_problems(root, start_build(root, site_dir))


def start_build(root: Path, site_dir: Path) -> subprocess.Popen:
    """The build, running in the background while other checks run."""
    return subprocess.Popen([sys.executable, '-m', 'mkdocs', 'build', '--strict',
                             '--config-file', str(root / 'mkdocs.yml'), '--site-dir', str(site_dir)],
                            cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, 'NO_MKDOCS_2_WARNING': '1'})


def build_problems(root: Path, process: subprocess.Popen) -> list[str]:
    _, stderr = process.communicate()
    found = [_located(root, line) for line in stderr.splitlines() if line.startswith(('WARNING', 'ERROR'))]
    if process.returncode != 0 and not found:
        found.append(f'mkdocs.yml:1: mkdocs build failed:\n{stderr}')
    return found


def _located(root: Path, warning: str) -> str:
    message = re.sub(r'^(WARNING|ERROR)\s+-\s+', '', warning)
    m = LINK_WARNING.search(message)
    if m:
        page = root / 'docs' / m['page']
        lines = page.read_text(encoding='utf-8').split('\n')
        line = next((n for n, text in enumerate(lines, 1) if m['target'] in text), 1)
        return f'docs/{m["page"]}:{line}: {message}'
    m = PAGE_ERROR.search(message)
    return f'docs/{m["page"]}:1: {message}' if m else f'mkdocs.yml:1: {message}'


class _Page(HTMLParser):
    """The addresses an HTML page makes the browser load, with their lines."""

    def __init__(self):
        super().__init__()
        self.loads: list[tuple[int, str]] = []
        self.scripts: list[tuple[int, str, bool]] = []  # line, src, async
        self.inline_scripts: list[tuple[int, str]] = []
        self.styles: list[tuple[int, str]] = []
        self.source_link_line = 0
        self.mermaid_fences = 0
        self._in = None

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        attrs = dict(attrs)
        for name, value in attrs.items():
            if value is None:
                continue
            if (tag, name) in LOADING_ATTRIBUTES:
                self.loads += [(line, url) for url in _srcset(value)] if name == 'srcset' else [(line, value)]
            if name == 'style':
                self.styles.append((line, f'*{{{value}}}'))  # declarations, read as a rule
        if tag == 'link' and LOADING_RELS & set((attrs.get('rel') or '').lower().split()) and attrs.get('href'):
            self.loads.append((line, attrs['href']))
        if tag == 'script' and attrs.get('src'):
            self.scripts.append((line, attrs['src'], 'async' in attrs))
        if tag == 'pre' and 'mermaid' in (attrs.get('class') or '').split():
            self.mermaid_fences += 1
        if attrs.get('data-md-component') == 'source':
            self.source_link_line = line
        self._in = (tag, line) if tag in ('script', 'style') and not attrs.get('src') else None

    def handle_data(self, data):
        if self._in and self._in[0] == 'script':
            self.inline_scripts.append((self._in[1], data))
        elif self._in:
            self.styles.append((self._in[1], data))

    def handle_endtag(self, tag):
        self._in = None


def _srcset(value: str) -> list[str]:
    return [candidate.split()[0] for candidate in value.split(',') if candidate.strip()]


def is_external(url: str) -> bool:
    return urlsplit(url.strip()).scheme in ('http', 'https') or url.strip().startswith('//')


def css_urls(css: str, first_line: int = 1) -> list[tuple[int, str]]:
    """(line, address) of each url() and @import of a stylesheet."""
    found = []

    def walk(tokens):
        for token in tokens or ():
            if token.type == 'url':
                found.append((first_line + token.source_line - 1, token.value))
            elif token.type == 'function' and token.lower_name == 'url':
                found.extend((first_line + t.source_line - 1, t.value) for t in token.arguments if t.type == 'string')
            elif token.type == 'at-rule' and token.lower_at_keyword == 'import':
                found.extend((first_line + t.source_line - 1, t.value) for t in token.prelude if t.type == 'string')
            if token.type in ('qualified-rule', 'at-rule'):
                walk(token.prelude)
                walk(token.content)
            elif hasattr(token, 'arguments'):
                walk(token.arguments)
            elif hasattr(token, 'content') and isinstance(token.content, list):
                walk(token.content)

    walk(tinycss2.parse_stylesheet(css, skip_comments=True))
    return found


def js_urls(js: str, first_line: int = 1) -> list[tuple[int, str]]:
    """(line, address) of each string literal that is an absolute URL."""
    line_starts = [m.end() for m in re.finditer('\n', js)]
    return [(first_line + bisect.bisect(line_starts, m.start()), m.group(2)) for m in JS_URL.finditer(js)]


def external_requests(site_dir: Path) -> list[str]:
    """Every address a browser reading the site would request from another host."""
    found = []

    def shown(path: Path) -> Path:
        return path.relative_to(site_dir)

    for css in sorted(site_dir.rglob('*.css')):
        found += [f'{shown(css)}:{line}: loads {url}' for line, url in css_urls(css.read_text(encoding='utf-8'))
                  if is_external(url)]
    for js in sorted(site_dir.rglob('*.js')):
        text = js.read_text(encoding='utf-8')
        found += [f'{shown(js)}:{line}: {reason}' for line, url in js_urls(text)
                  if (reason := _unexplained(url, text))]
    for html in sorted(site_dir.rglob('*.html')):
        page = _Page()
        page.feed(html.read_text(encoding='utf-8'))
        found += [f'{shown(html)}:{line}: loads {url}' for line, url in page.loads if is_external(url)]
        for first_line, css in page.styles:
            found += [f'{shown(html)}:{line}: loads {url}' for line, url in css_urls(css, first_line)
                      if is_external(url)]
        for first_line, js in page.inline_scripts:
            found += [f'{shown(html)}:{line}: {reason}' for line, url in js_urls(js, first_line)
                      if (reason := _unexplained(url, js))]
        found += _fallbacks_unused(site_dir, html, page)
    return sorted(found, key=by_location)


def _unexplained(url: str, js: str) -> str | None:
    """Why a URL in a script could be requested, or None when it never is on this site."""
    if XML_NAMESPACE.match(url) or url == RESIZE_OBSERVER_POLYFILL:
        return None
    if MERMAID_FALLBACK.match(url):
        # Safe only behind Material's guard: every page then provides window.mermaid (checked below).
        guarded = js.rfind(MERMAID_GUARD, max(0, js.find(url) - 200), js.find(url)) != -1
        return None if guarded else f'loads {url} unguarded'
    if REPOSITORY_FACTS.match(url):
        return None  # pages with a source link are reported by _fallbacks_unused
    return f'may load {url}'


def _fallbacks_unused(site_dir: Path, html: Path, page: _Page) -> list[str]:
    """A page that loads a script with the mermaid fallback also loads the site's own mermaid as a
    classic script (run before DOMContentLoaded), and no page has a repository source link."""
    found = []
    shown = html.relative_to(site_dir)
    local = []
    for line, src, is_async in page.scripts:
        if is_external(src):
            continue
        path = urlsplit(src).path
        prefix = _site_path(site_dir)
        if path.startswith(prefix):  # absolute links (404.html has them) start with site_url's path
            path = '/' + path[len(prefix):]
        file = (site_dir / path.lstrip('/') if path.startswith('/') else html.parent / path).resolve()
        if file.is_file():
            local.append((line, file, is_async))
        else:
            found.append(f'{shown}:{line}: loads {src}, which is not in the site')
    with_fallback = [line for line, file, _ in local if _has_mermaid_fallback(file)]
    own_mermaid = [line for line, file, is_async in local if file.name == 'mermaid.min.js' and not is_async]
    # Material's bundle reaches for the CDN only for a <pre class="mermaid"> it finds while
    # window.mermaid is undefined: a page whose diagrams were drawn at build time has none, and the
    # stand-in of overrides/main.html defines window.mermaid before the bundle runs.
    stand_in = any('window.mermaid = {' in js for _, js in page.inline_scripts)
    if with_fallback and not own_mermaid and page.mermaid_fences and not stand_in:
        found.append(f'{shown}:{with_fallback[0]}: this script loads mermaid from unpkg.com unless the page '
                     f'loads the site\'s own mermaid.min.js (add it to extra_javascript)')
    if page.source_link_line:
        found.append(f'{shown}:{page.source_link_line}: the source link fetches repository facts from another '
                     f'host (remove repo_url)')
    return found


@functools.lru_cache(maxsize=None)
def _site_path(site_dir: Path) -> str:
    """The path of site_url (e.g. /site/), from the sitemap: '/' when there is none."""
    sitemap = site_dir / 'sitemap.xml'
    loc = re.search(r'<loc>([^<]+)</loc>', sitemap.read_text(encoding='utf-8')) if sitemap.is_file() else None
    return urlsplit(loc[1]).path if loc else '/'


@functools.lru_cache(maxsize=None)
def _has_mermaid_fallback(path: Path) -> bool:
    return any(MERMAID_FALLBACK.match(url) for _, url in js_urls(path.read_text(encoding='utf-8')))
