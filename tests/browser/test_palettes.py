"""Contrast and link distinction in both palettes. Lighthouse (test_lighthouse.py) audits the light
one, which a reader gets first; this runs the same axe-core rules, from the same Lighthouse install,
on every page in the dark one too."""
from __future__ import annotations

import pytest

from tests.browser.test_lighthouse import REPO, lighthouse_missing
from tests.browser.test_site import page_paths
from tests.harness.prerequisites import in_ci

pytestmark = pytest.mark.browser

AXE = REPO / 'node_modules' / 'axe-core' / 'axe.min.js'
RULES = ['color-contrast', 'link-in-text-block', 'aria-dialog-name']
SCHEMES = ['default', 'slate']
# Material fades colours when the palette changes: without the fade, axe reads the final colours.
CHECK = '''async ([scheme, rules]) => {
    const still = document.createElement("style");
    still.textContent = "*, *::before, *::after { transition: none !important; }";
    document.head.append(still);
    document.body.setAttribute("data-md-color-scheme", scheme);
    const result = await axe.run(document, {runOnly: {type: "rule", values: rules}});
    return result.violations.map(v => v.id + ": " + v.nodes.slice(0, 3)
        .map(n => n.target.join(" ") + " (" + n.failureSummary.split("\\n").slice(1).join(" ").trim() + ")")
        .join("; "));
}'''


@pytest.fixture(scope='module')
def axe_source() -> str:
    reason = lighthouse_missing()
    if reason:
        if in_ci():
            pytest.fail(f'browser tier: {reason} (CI=true, so a missing prerequisite fails)', pytrace=False)
        pytest.skip(f'browser tier: {reason}')
    return AXE.read_text(encoding='utf-8')


def test_every_page_reads_well_in_both_palettes(context, site_dir, site_url, axe_source):
    page = context.new_page()
    found = []
    for path in page_paths(site_dir):
        if path == '/404.html':
            continue
        page.goto(site_url + path, wait_until='load')
        page.add_script_tag(content=axe_source)
        for scheme in SCHEMES:
            for violation in page.evaluate(CHECK, [scheme, RULES]):
                found.append(f'{path} ({scheme}): {violation}')
    assert not found, f'{len(found)} accessibility violations:\n' + '\n'.join(found)
