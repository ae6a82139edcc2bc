"""The static tier's checks on small trees made to fail them (tests/fixtures/static/<case>/).

Each check must name the file and line of every fault planted in its tree, and find nothing in the
tree that follows every rule (good/). The expected problems were captured from a run, then read.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.static import built_site, linters, sources, tools

pytestmark = pytest.mark.static

FIXTURES = Path(__file__).resolve().parents[1] / 'fixtures' / 'static'
# YAML errors name the mark that makes the parser give up, and the construct it was reading.
UNCLOSED = "expected ',' or ']', but got '<stream end>' (while parsing a flow sequence that starts on line"
ONLY_INCLUDES = 'written on the page: put it in snippets/ and include it (only mermaid, text may be inline)'
# The Kubernetes version manifests are checked against (versions.env), as kubernetes-validate names it.
K8S_MINOR = tools.versions()['KUBERNETES_VERSION'].removeprefix('v').rsplit('.', 1)[0]
NOT_UNDER_ADMONITION = 'a skipped block must sit in or right under a visible "!!! not-verified" admonition'

CASES = {
    'missing-snippet': (sources.unresolved_includes, [
        'docs/zh/index.md:4: includes missing snippet "demo/missing.sh"',
        "docs/zh/index.md:8: include \"demo/run.sh:nosuch\": Snippet section 'nosuch' could not be located",
        'docs/en/index.md:4: includes missing snippet "demo/missing.sh"',
        "docs/en/index.md:8: include \"demo/run.sh:nosuch\": Snippet section 'nosuch' could not be located",
    ]),
    'inline-code': (sources.inline_fences, [
        f'docs/zh/index.md:3: ```bash {ONLY_INCLUDES}',
        f'docs/zh/index.md:7: ```yaml {ONLY_INCLUDES}',
        f'docs/zh/index.md:11: a fence without a language {ONLY_INCLUDES}',
        f'docs/en/index.md:3: ```bash {ONLY_INCLUDES}',
        f'docs/en/index.md:7: ```yaml {ONLY_INCLUDES}',
        f'docs/en/index.md:11: a fence without a language {ONLY_INCLUDES}',
    ]),
    'unused-snippet': (sources.unused_snippets, [
        'snippets/demo/unused.sh:1: included by no page',
    ]),
    'twins': (sources.language_parity, [
        'docs/zh/alone.md:1: no English twin docs/en/alone.md',
        'docs/en/lonely.md:1: no Chinese twin docs/zh/lonely.md',
        'docs/zh/headings.md:5: heading #3 differs from the English twin: h3 here, h2 at docs/en/headings.md:5',
        'docs/zh/includes.md:4: include #1 differs from the English twin: "demo/a.sh" here, '
        '"demo/b.sh" at docs/en/includes.md:4',
    ]),
    'skips': (sources.skip_markers, [
        f'docs/zh/index.md:3: {NOT_UNDER_ADMONITION}',
        f'docs/zh/index.md:11: {NOT_UNDER_ADMONITION}',
        'docs/zh/index.md:19: a skip must be followed by the fence it skips',
        'docs/zh/index.md:22: the only skip allowed is "<!-- skip: next -->" on a line of its own',
        f'docs/en/index.md:3: {NOT_UNDER_ADMONITION}',
        f'docs/en/index.md:11: {NOT_UNDER_ADMONITION}',
        'docs/en/index.md:19: a skip must be followed by the fence it skips',
        'docs/en/index.md:22: the only skip allowed is "<!-- skip: next -->" on a line of its own',
    ]),
    'tiers': (sources.tiers, [
        f'docs/zh/reference/broken.md:3: front matter is not YAML: {UNCLOSED} 2)',
        f'docs/en/reference/broken.md:3: front matter is not YAML: {UNCLOSED} 2)',
        "docs/zh/kubernetes/privileged.md:3: pod-security: privileged needs a pod-security-reason in the front matter",
        "docs/zh/reference/typo.md:2: unknown front matter key 'teir' (known: tier, pod-security, pod-security-reason, "
        "title, description, hide, icon, status, search, template)",
        "docs/zh/reference/unknown.md:3: tier must be one of docker, kind, not 'k8s'",
        'docs/zh/reference/untiered.md:8: ```console runs, but the page is in no tier: '
        'add front matter "tier: docker" or "tier: kind"',
        "docs/en/kubernetes/privileged.md:3: pod-security: privileged needs a pod-security-reason in the front matter",
        "docs/en/reference/typo.md:2: unknown front matter key 'teir' (known: tier, pod-security, pod-security-reason, "
        "title, description, hide, icon, status, search, template)",
        "docs/en/reference/unknown.md:3: tier must be one of docker, kind, not 'k8s'",
        'docs/en/reference/untiered.md:8: ```console runs, but the page is in no tier: '
        'add front matter "tier: docker" or "tier: kind"',
    ]),
    'shell-lint': (linters.shellcheck, [
        'snippets/demo/copy.sh:2: note: Double quote to prevent globbing and word splitting. [SC2086]',
        "snippets/demo/steps:1: warning: Use 'cd ... || exit' or 'cd ... || return' in case cd fails. [SC2164]",
        "lab/part.sh:3: error: [ .. ] can't match globs. Use [[ .. ]] or case statement. [SC2081]",
        'snippets/demo/session.console:3: error: Iterating over ls output is fragile. Use globs. [SC2045]',
        'snippets/demo/session.console:6: note: Double quote to prevent globbing and word splitting. [SC2086]',
    ]),
    'dockerfile-lint': (linters.hadolint, [
        'snippets/demo/Dockerfile:2: DL4000 error: MAINTAINER is deprecated',
        'snippets/demo/web.dockerfile:2: DL3009 info: Delete the apt lists (/var/lib/apt/lists) '
        'after installing something',
        'lab/images/web/Dockerfile:2: DL3003 warning: Use WORKDIR to switch to a directory',
    ]),
    'kubernetes-invalid': (linters.kubernetes_manifests, [
        f'snippets/demo/not-yaml.yaml:5: not YAML: {UNCLOSED} 4)',
        "snippets/demo/removed-api.yaml:1: Couldn't find schema for kind Deployment with api version "
        f'extensions/v1beta1 for kubernetes version {K8S_MINOR}',
        "snippets/demo/unknown-field.yaml:18: Pod spec.containers.0: Additional properties are not allowed "
        f"('imagePullPolicyy' was unexpected) (Kubernetes {K8S_MINOR})",
        "snippets/demo/wrong-type.yaml:6: Deployment spec.replicas: 'three' is not of type 'integer', 'null' "
        f'(Kubernetes {K8S_MINOR})',
    ]),
    'chinese-spacing': (linters.chinese_spacing, [
        'docs/zh/index.md:2: write "用 Docker", not "用Docker"',
        'docs/zh/index.md:4: write "用 Docker 构建镜像", not "用Docker构建镜像"',
        'docs/zh/index.md:6: write "先安装 Docker", not "先安装Docker"',
        'docs/zh/index.md:8: write "镜像 (image) 是只读的", not "镜像(image)是只读的" (or use full-width brackets （）)',
        'docs/zh/index.md:10: write "关于 CI", not "关于CI"',
        'docs/zh/index.md:11: write "本页在 CI 中验证过", not "本页在CI中验证过"',
    ]),
}


@pytest.mark.parametrize('case', CASES)
def test_check_names_each_fault(case):
    check, expected = CASES[case]
    assert check(FIXTURES / case) == expected


def test_gateway_api_check_names_each_fault(gateway_api_crds):
    assert linters.kubernetes_manifests(FIXTURES / 'gateway-invalid', gateway_api_crds) == [
        "snippets/demo/gateway.yaml:10: Gateway spec.listeners.0.port: 'eighty' is not of type 'integer' "
        '(gateway.networking.k8s.io/v1 CRD)',
        "snippets/demo/httproute.yaml:12: HTTPRoute spec.rules.0: Additional properties are not allowed "
        "('timeoutt' was unexpected) (gateway.networking.k8s.io/v1 CRD)",
    ]


def test_compose_check_names_each_fault(compose_schema):
    assert linters.compose_files(FIXTURES / 'compose-invalid', compose_schema) == [
        "snippets/demo/compose.yaml:4: services.web.ports: 80 is not of type 'array'",
        "snippets/demo/compose.yaml:5: services.db: Unevaluated properties are not allowed ('imagee' was unexpected)",
    ]


def test_workflow_check_names_each_fault(actionlint):
    assert linters.actionlint(FIXTURES / 'workflow-lint', actionlint) == [
        '.github/workflows/ci.yml:4: "steps" section is missing in job "test" [syntax-check]',
        '.github/workflows/ci.yml:6: unexpected key "step" for "job" section. expected one of "concurrency", '
        '"container", "continue-on-error", "defaults", "env", "environment", "if", "name", "needs", "outputs", '
        '"permissions", "runs-on", "secrets", "services", "snapshot", "steps", "strategy", "timeout-minutes", '
        '"uses", "with" [syntax-check]',
        '.github/workflows/ci.yml:12: shellcheck reported issue in this script: SC2086:info:1:6: '
        'Double quote to prevent globbing and word splitting [shellcheck]',
    ]


def test_site_checks_name_each_fault(tmp_path):
    root = FIXTURES / 'site-faults'
    assert built_site.build(root, tmp_path) == [
        "docs/index.md:3: Doc file 'index.md' contains a link 'other.md#no-such-heading', "
        "but the doc 'other.md' does not contain an anchor '#no-such-heading'.",
    ]
    found = built_site.external_requests(tmp_path)
    # Lines in the built HTML follow Material's templates: each problem has one, its value is theirs.
    assert all(re.match(r'^\S+:\d+: ', problem) for problem in found)
    google_fonts = ('https://fonts.googleapis.com/css?family=Roboto:300,300i,400,400i,700,700i'
                    '%7CRoboto+Mono:400,400i,700,700i&display=fallback')
    no_mermaid = ("this script loads mermaid from unpkg.com unless the page loads the site's own mermaid.min.js "
                  '(add it to extra_javascript)')
    source_link = 'the source link fetches repository facts from another host (remove repo_url)'
    every_page = ['loads https://fonts.gstatic.com', f'loads {google_fonts}', 'loads https://cdn.example.com/extra.css',
                  source_link]
    assert sorted(re.sub(r':\d+: ', ': ', problem) for problem in found) == sorted([
        'css/extra.css: loads https://fonts.example.com/face.css',
        'js/extra.js: may load https://api.example.com/data',
        'index.html: loads https://img.example.com/logo.png',
        'index.html: loads https://img.example.com/background.png',
        # only the page with a diagram makes Material reach for mermaid
        f'index.html: {no_mermaid}',
        *(f'{page}: {fault}' for page in ('404.html', 'index.html', 'other/index.html') for fault in every_page),
    ])


def test_good_tree_passes_every_check(tmp_path, compose_schema, actionlint):
    root = FIXTURES / 'good'
    found = [check(root) for check, _ in CASES.values()]
    found += [linters.compose_files(root, compose_schema), linters.actionlint(root, actionlint)]
    found += [built_site.build(root, tmp_path), built_site.external_requests(tmp_path)]
    assert [problem for problems in found for problem in problems] == []
