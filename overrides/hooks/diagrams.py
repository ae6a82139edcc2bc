"""MkDocs hook: mermaid diagrams drawn at build time into the page, so that a reader downloads and
runs no diagram script at all (the browser tier measured why: docs/zh/reference/testing.md).

Each ```mermaid fence becomes <div class="mermaid"> holding the SVG in a declarative shadow root,
which is what Material's own mermaid integration builds in the reader's browser: the same mermaid
(the site's copy, docs/assets/vendor/mermaid, fetched by ./dev), the same settings and Material's
theme CSS, whose colours are CSS variables, so a diagram follows the light and dark palettes.

Mermaid needs a browser to lay text out: Debian's Chromium, driven by Playwright, started once per
build and only when a diagram is not in the cache (~/.cache/docker-k8s-lab/diagrams, keyed by the
diagram, mermaid's version and the theme CSS). Without Chromium the fences stay as they are and
the browser draws them (overrides/main.html loads mermaid then, on those pages only); with CI=true
a missing Chromium is an error, so what is published is drawn at build time.
"""
from __future__ import annotations

import hashlib
import html
import logging
import os
import re
import shutil
from pathlib import Path

log = logging.getLogger('mkdocs.hooks.diagrams')

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / 'docs' / 'assets' / 'vendor' / 'mermaid'
CACHE = Path(os.environ.get('XDG_CACHE_HOME') or Path.home() / '.cache') / 'docker-k8s-lab' / 'diagrams'
CHROMIUM = ('chromium', 'chromium-browser')
FENCE = re.compile(r'<pre class="mermaid"><code>(?P<source>.*?)</code></pre>', re.S)
# Where the render page fetches mermaid from: Playwright answers from VENDOR, nothing leaves the machine.
ORIGIN = 'http://mermaid.invalid'
# Material's mermaid settings (its bundle's mermaid.initialize call), with its theme CSS added at run time.
RENDER = '''async ({sources, css}) => {
  const {default: mermaid} = await import("%s/mermaid.esm.min.mjs");
  mermaid.initialize({startOnLoad: false, themeCSS: css,
                      sequence: {actorFontSize: "16px", messageFontSize: "16px", noteFontSize: "16px"}});
  const svgs = [];
  for (const source of sources) svgs.push((await mermaid.render("diagram", source)).svg);
  return svgs;
}''' % ORIGIN
# Labels are laid out with this machine's fonts; a reader's may be wider: let text overflow its box
# rather than be cut off.
EXTRA_CSS = 'foreignObject{overflow:visible}'


class _Renderer:
    def __init__(self):
        self.playwright = self.browser = self.page = None
        self.theme_css = None

    def css(self, config) -> str:
        if self.theme_css is None:
            self.theme_css = _material_theme_css(config) + EXTRA_CSS
        return self.theme_css

    def render(self, sources: list[str], css: str) -> list[str]:
        if self.page is None:
            from playwright.sync_api import sync_playwright

            chromium = next(path for path in map(shutil.which, CHROMIUM) if path)
            self.playwright = sync_playwright().start()
            self.browser = self.playwright.chromium.launch(
                executable_path=chromium, chromium_sandbox=False,
                args=['--disable-background-networking', '--disable-component-update', '--no-first-run'])
            self.page = self.browser.new_page()
            self.page.route(f'{ORIGIN}/**', _serve_vendor)
            self.page.goto(f'{ORIGIN}/index.html')
        return self.page.evaluate(RENDER, {'sources': sources, 'css': css})

    def close(self):
        if self.browser is not None:
            self.browser.close()
            self.playwright.stop()
        self.playwright = self.browser = self.page = None


_renderer = _Renderer()


def _serve_vendor(route):
    path = route.request.url[len(ORIGIN):].split('?', 1)[0].lstrip('/')
    if path == 'index.html':
        return route.fulfill(body='<!doctype html><meta charset="utf-8"><body>', content_type='text/html')
    file = (VENDOR / path).resolve()
    if VENDOR.resolve() in file.parents and file.is_file():
        return route.fulfill(body=file.read_bytes(), content_type='text/javascript',
                             headers={'Access-Control-Allow-Origin': '*'})
    return route.fulfill(status=404, body='')


def _material_theme_css(config) -> str:
    """The theme CSS Material hands mermaid, read from the installed Material's bundle."""
    import material

    bundles = sorted((Path(material.__file__).parent / 'templates' / 'assets' / 'javascripts').glob('bundle.*.min.js'))
    text = bundles[0].read_text(encoding='utf-8')
    name = re.search(r'themeCSS:([\w$]+)', text)
    value = name and re.search(r'(?:var |,)%s="((?:[^"\\]|\\.)*)"' % re.escape(name[1]), text)
    if not value:
        raise RuntimeError(f'{bundles[0]}: no mermaid theme CSS found (has Material changed how it calls mermaid?)')
    return value[1]


def _mermaid_version() -> str:
    return (VENDOR.parent / '.mermaid-version').read_text(encoding='utf-8').strip()


def _chromium_missing() -> str | None:
    if not (VENDOR / 'mermaid.esm.min.mjs').is_file():
        return f'{VENDOR.relative_to(ROOT)} is missing (./dev fetches it)'
    if not any(shutil.which(name) for name in CHROMIUM):
        return 'Chromium is not installed'
    try:
        import playwright  # noqa: F401
    except ImportError:
        return 'Playwright is not installed'
    return None


def on_page_content(html_text: str, page, config, files):
    sources = [html.unescape(match['source']) for match in FENCE.finditer(html_text)]
    if not sources:
        return html_text
    missing = _chromium_missing()
    if missing:
        if os.environ.get('CI', '').lower() == 'true':
            raise RuntimeError(f'diagrams: {missing}; CI=true, so diagrams must be drawn at build time')
        log.info('diagrams: %s; %s keeps its diagrams as mermaid source, drawn in the browser',
                 missing, page.file.src_uri)
        return html_text
    css = _renderer.css(config)
    salt = f'{_mermaid_version()}\n{css}\n'
    keys = [hashlib.sha256((salt + source).encode()).hexdigest() for source in sources]
    todo = [(key, source) for key, source in zip(keys, sources) if not (CACHE / f'{key}.svg').exists()]
    if todo:
        CACHE.mkdir(parents=True, exist_ok=True)
        for (key, _), svg in zip(todo, _renderer.render([source for _, source in todo], css)):
            if 'aria-roledescription="error"' in svg:
                raise RuntimeError(f'{page.file.src_uri}: mermaid cannot draw a diagram of this page (syntax error)')
            tmp = CACHE / f'{key}.svg.tmp'
            tmp.write_text(svg, encoding='utf-8')
            tmp.replace(CACHE / f'{key}.svg')
    svgs = iter((CACHE / f'{key}.svg').read_text(encoding='utf-8') for key in keys)
    return FENCE.sub(lambda _: '<div class="mermaid"><template shadowrootmode="open">'
                               f'{next(svgs)}</template></div>', html_text)


def on_post_build(config):
    _renderer.close()


def on_shutdown():
    _renderer.close()
