"""What a reader's browser does with the built site: it loads offline, switches language, searches,
copies commands and draws diagrams, all with nothing but the site itself."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.harness import transcript

pytestmark = pytest.mark.browser

DEEP_PAGE = 'docker/images-and-containers/'
SEARCH_WORDS = ['容器', '镜像', 'containers', 'Deployment', 'Kubernetes']
LANGUAGE_ROOTS = {'zh': '/', 'en': '/en/'}
# Material shows "Initializing search" until its worker has loaded the index and lunr's languages,
# then the placeholder of the page's language.
SEARCH_READY = '''() => {
    const placeholder = JSON.parse(document.getElementById("__config").textContent)
        .translations["search.result.placeholder"];
    return document.querySelector(".md-search-result__meta").innerText.trim() === placeholder;
}'''


def page_paths(site_dir: Path) -> list[str]:
    """URL paths of every HTML page of the built site, both languages."""
    paths = []
    for html in sorted(site_dir.rglob('*.html')):
        relative = html.relative_to(site_dir).as_posix()
        paths.append('/' + relative.removesuffix('index.html'))
    return paths


def open_page(page, url: str, settle: bool = True):
    """Open url; with settle, also wait until its requests are done, the search worker's last ones
    included (checks of a single feature wait for that feature instead)."""
    response = page.goto(url, wait_until='networkidle' if settle else 'load')
    assert response is not None and response.ok, f'{url}: HTTP {response.status if response else "no response"}'
    if settle:
        page.wait_for_function(SEARCH_READY)


def test_every_page_loads_from_the_site_alone(context, site_dir, site_url):
    paths = page_paths(site_dir)
    assert any(path.startswith('/en/') for path in paths), 'the built site has no English pages'
    page = context.new_page()
    errors: list[str] = []
    page.on('pageerror', lambda error: errors.append(f'{page.url}: {error}'))
    for path in paths:
        open_page(page, site_url + path)
    traffic = context.traffic
    assert not traffic.foreign(), 'requests to hosts other than the site:\n' + '\n'.join(traffic.foreign())
    assert not traffic.failures, 'requests that failed:\n' + '\n'.join(traffic.failures)
    assert not errors, 'script errors:\n' + '\n'.join(errors)


def switch_language(page, lang: str):
    """Use the header's language selector as a reader does: hover it, click the language."""
    page.hover('.md-select')
    page.click(f'.md-select a[hreflang="{lang}"]')
    page.wait_for_load_state('networkidle')


def test_language_switcher_keeps_the_reader_on_the_same_page(page, site_url):
    open_page(page, f'{site_url}/{DEEP_PAGE}')
    switch_language(page, 'en')
    assert page.url == f'{site_url}/en/{DEEP_PAGE}', f'zh → en led to {page.url}'
    assert page.get_attribute('html', 'lang') == 'en'
    switch_language(page, 'zh')
    assert page.url == f'{site_url}/{DEEP_PAGE}', f'en → zh led to {page.url}'
    assert page.get_attribute('html', 'lang') == 'zh'


@pytest.fixture(scope='module', params=list(LANGUAGE_ROOTS))
def search_page(request, browser, site_url):
    """The home page of one language, kept open for every query (the search index loads once)."""
    context = browser.new_context()
    page = context.new_page()
    open_page(page, site_url + LANGUAGE_ROOTS[request.param])
    yield request.param, page
    context.close()


def search(page, query: str) -> list[str]:
    """Type query into the header's search box; the result links once the search has answered."""
    box = page.locator('.md-search__input')
    meta = page.locator('.md-search-result__meta')
    # Material reads the box on keyup (and once its search worker is ready), as when a reader types.
    box.fill('')
    box.press('End')
    placeholder = meta.inner_text()
    box.fill(query)
    box.press('End')
    page.wait_for_function('([meta, placeholder]) => meta.innerText !== placeholder',
                           arg=[meta.element_handle(), placeholder])
    return page.eval_on_selector_all('.md-search-result__item > a', 'links => links.map(a => a.href)')


def html_of(site_dir: Path, path: str) -> str:
    return (site_dir / path.lstrip('/') / 'index.html').read_text(encoding='utf-8')


def indexed_pages_with(site_dir: Path, lang: str, word: str) -> list[str]:
    """Sections of the language's search index (hooks/search_split.py) that hold the word: what search
    ought to find, to explain a failure."""
    index = json.loads((site_dir / 'search' / f'search_index.{lang}.json').read_text(encoding='utf-8'))
    return [doc['location'] for doc in index['docs']
            if word.lower() in (doc['title'] + ' ' + doc['text']).lower()]


@pytest.mark.parametrize('word', SEARCH_WORDS)
def test_search_finds_words_of_both_languages(search_page, site_dir, site_url, word):
    lang, page = search_page
    results = search(page, word)
    holding = indexed_pages_with(site_dir, lang, word)
    assert results, (f'search on the {lang} site found nothing for {word!r}, which {len(holding)} sections of '
                     f'the search index hold (e.g. {holding[:3]}): see the search plugin settings in mkdocs.yml')
    # Each language searches its own pages only (one index per language).
    other = [url for url in results if url.startswith(f'{site_url}/en/') != (lang == 'en')]
    assert not other, f'search on the {lang} site found pages of the other language: {other[:3]}'


def console_blocks(site_dir: Path) -> list[str]:
    """zh pages (the en twins show the same snippets) holding a console block."""
    return [path for path in page_paths(site_dir) if not path.startswith('/en/') and path.endswith('/')
            if 'language-console' in html_of(site_dir, path)]


def commands_of(text: str) -> str:
    """What the copy button should give: the commands without `$ `, with their continuation lines,
    and blank lines where the transcript has them; output lines dropped."""
    lines = zip(transcript.command_lines(text), text.split('\n'))
    return '\n'.join(command for command, line in lines if command or not line.strip()).strip()


def test_copy_button_copies_only_the_commands(page, site_url, site_dir):
    pages = console_blocks(site_dir)
    assert pages, 'no page has a console block to try the copy button on'
    for path in pages:
        open_page(page, site_url + path, settle=False)
        for block in page.locator('.language-console').all():
            shown = block.locator('code').text_content()
            block.hover()
            block.locator('button[data-md-type="copy"]').click()
            copied = page.evaluate('navigator.clipboard.readText()')
            assert copied == commands_of(shown), (
                f'{path}: the copy button of this console block copied\n{copied}\n--- instead of\n'
                f'{commands_of(shown)}\n--- (shown block:\n{shown})')


def rendered_mermaid_svgs(page) -> list[dict]:
    """Each diagram is an SVG in a shadow root (as Material draws one); the DevTools protocol sees inside."""
    session = page.context.new_cdp_session(page)
    document = session.send('DOM.getDocument', {'depth': -1, 'pierce': True})['root']
    session.detach()
    found = []

    def walk(node, in_diagram):
        attributes = dict(zip(node.get('attributes', [])[::2], node.get('attributes', [])[1::2]))
        if in_diagram and node.get('nodeName') == 'svg':
            found.append(attributes)
        in_diagram = in_diagram or (node.get('nodeName') == 'DIV' and attributes.get('class') == 'mermaid')
        for child in node.get('children', []) + node.get('shadowRoots', []):
            walk(child, in_diagram)

    walk(document, False)
    return found


def test_mermaid_diagrams_are_drawn_at_build_time(context, site_url, site_dir):
    """overrides/hooks/diagrams.py draws each diagram into the page: the reader's browser shows the
    SVG and downloads no mermaid (Chromium is there, as the browser tier needs it anyway)."""
    counts = {path: html_of(site_dir, path).count('<div class="mermaid">')
              for path in page_paths(site_dir) if path.endswith('/')}
    pages = {path: count for path, count in counts.items() if count}
    assert pages, 'no page has a mermaid diagram drawn at build time'
    left = [path for path in page_paths(site_dir) if path.endswith('/')
            if '<pre class="mermaid">' in html_of(site_dir, path)]
    assert not left, f'diagrams left to the reader\'s browser to draw: {left}'
    page = context.new_page()
    for path, count in pages.items():
        open_page(page, site_url + path, settle=False)
        svgs = rendered_mermaid_svgs(page)
        assert len(svgs) == count, f'{path}: {count} diagrams, {len(svgs)} shown as SVG'
        errors = [svg for svg in svgs if svg.get('aria-roledescription') == 'error']
        assert not errors, f'{path}: mermaid drew {len(errors)} syntax error(s) instead of diagrams'
    mermaid_scripts = [url for url in context.traffic.urls if re.search(r'mermaid[^/]*\.m?js', url)]
    assert not mermaid_scripts, f'pages with diagrams drawn at build time still loaded {mermaid_scripts}'
