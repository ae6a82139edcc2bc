"""The static tier over the repository: every check of tests/static, on the real tree."""
from __future__ import annotations

import pytest

from tests.static import built_site, linters, sources
from tests.static.tools import REPO

pytestmark = pytest.mark.static


def no_problems(problems: list[str]) -> None:
    if problems:
        pytest.fail(f'{len(problems)} problem(s):\n' + '\n'.join(problems), pytrace=False)


def test_site_builds_strictly(site_build):
    no_problems(site_build.problems)


def test_site_requests_nothing_from_other_hosts(site_build):
    if not (site_build.site_dir / 'index.html').is_file():
        pytest.fail('the site did not build: see test_site_builds_strictly', pytrace=False)
    no_problems(built_site.external_requests(site_build.site_dir))


def test_pages_show_code_only_from_snippets():
    no_problems(sources.inline_fences(REPO))


def test_includes_resolve():
    no_problems(sources.unresolved_includes(REPO))


def test_every_snippet_is_included():
    no_problems(sources.unused_snippets(REPO))


def test_languages_are_twins():
    no_problems(sources.language_parity(REPO))


def test_skips_are_declared():
    no_problems(sources.skip_markers(REPO))


def test_tiers():
    no_problems(sources.tiers(REPO))


def test_shellcheck():
    no_problems(linters.shellcheck(REPO))


def test_hadolint():
    no_problems(linters.hadolint(REPO))


def test_kubernetes_manifests(gateway_api_crds):
    no_problems(linters.kubernetes_manifests(REPO, gateway_api_crds))


def test_compose_files(compose_schema):
    no_problems(linters.compose_files(REPO, compose_schema))


def test_workflows(actionlint):
    no_problems(linters.actionlint(REPO, actionlint))


def test_chinese_spacing():
    no_problems(linters.chinese_spacing(REPO))
