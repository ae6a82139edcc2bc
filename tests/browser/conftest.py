"""The browser tier: Debian's Chromium, driven by Playwright, over the built site served on localhost."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.serving import serve
from tests.harness.prerequisites import CHROMIUM, require

REPO = Path(__file__).resolve().parents[2]
# Without these, Chromium keeps calling Google's hosts, which this network (and many readers') refuses.
CHROMIUM_ARGS = [
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-gpu',
    '--no-first-run',
]


@pytest.fixture(scope='session')
def chromium() -> str:
    """Debian's Chromium: Playwright's own browser download is unreachable here and for many readers."""
    require('browser')  # skips on a laptop, fails when CI=true
    return next(path for path in map(shutil.which, CHROMIUM) if path)


@pytest.fixture(scope='session')
def site_dir(tmp_path_factory) -> Path:
    """The site built once per session, exactly as `./dev build` builds it."""
    out = tmp_path_factory.mktemp('site')
    mkdocs = [sys.executable, '-m', 'mkdocs', 'build', '--strict', '--quiet', '--site-dir', str(out)]
    done = subprocess.run(mkdocs, cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, 'NO_MKDOCS_2_WARNING': '1'})
    if done.returncode != 0:
        pytest.fail('mkdocs build --strict failed:\n' + '\n'.join(done.stderr.splitlines()[-15:]))
    return out


def published_path(site_dir: Path) -> str:
    """The path of the published address (site_url in mkdocs.yml, e.g. /site/), from the sitemap."""
    loc = re.search(r'<loc>([^<]+)</loc>', (site_dir / 'sitemap.xml').read_text(encoding='utf-8'))
    assert loc, f'{site_dir}/sitemap.xml lists no page: is site_url set in mkdocs.yml?'
    return urlsplit(loc[1]).path


@pytest.fixture(scope='session')
def site_url(site_dir) -> str:
    """Base URL (no trailing slash) of the built site, served from a thread on a free port as GitHub
    Pages serves it: under the published path, gzip-compressed (tests/browser/serving.py)."""
    server, url = serve(site_dir, published_path(site_dir))
    yield url.rstrip('/')
    server.shutdown()
    server.server_close()


@pytest.fixture(scope='session')
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # chromium_sandbox=False passes --no-sandbox, which Chromium needs when run as root.
        browser = playwright.chromium.launch(executable_path=chromium, chromium_sandbox=False,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Traffic:
    """Every request a browser context made, and the ones that went wrong."""

    def __init__(self, site_url: str):
        self.site = urlsplit(site_url).netloc
        self.urls: list[str] = []
        self.failures: list[str] = []

    def record(self, request):
        self.urls.append(request.url)

    def record_failure(self, request):
        # Aborted: the test moved on to the next page first. The request itself was still recorded.
        if request.failure != 'net::ERR_ABORTED':
            self.failures.append(f'{request.url}: {request.failure}')

    def record_response(self, response):
        # Material fetches a sitemap.xml next to each <link rel="alternate"> of a page; the pages have
        # none (overrides/main.html), so a 404 here is a real one.
        if response.status >= 400:
            self.failures.append(f'{response.url}: HTTP {response.status}')

    def foreign(self) -> list[str]:
        """Requests to any host but the local server (data: and blob: URLs never leave the page)."""
        return [url for url in self.urls
                if urlsplit(url).scheme not in ('data', 'blob') and urlsplit(url).netloc != self.site]


@pytest.fixture
def context(browser, site_url):
    """A fresh browser context (own cookies, storage, clipboard permission) that records its traffic."""
    context = browser.new_context(permissions=['clipboard-read', 'clipboard-write'])
    context.traffic = Traffic(site_url)
    context.on('request', context.traffic.record)
    context.on('requestfailed', context.traffic.record_failure)
    context.on('response', context.traffic.record_response)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()
