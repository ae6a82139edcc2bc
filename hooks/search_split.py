"""MkDocs hook: one search index per language.

Material's search plugin writes a single index for the whole site, both languages, and every page
downloads all of it (about 375 KiB compressed, the largest download of any page). A reader searches
in the language of the page they are on, so each language gets its own file next to it:
search/search_index.<lang>.json, holding that language's pages. overrides/main.html points the
page's request at the file of the page's <html lang>. The whole index stays for anything else that
reads it.

mkdocs-static-i18n builds each language in turn and runs this after each build, with the index as
it stands then: a language is written when its pages are in it.
"""
from __future__ import annotations

import json
from pathlib import Path


def languages(config) -> dict[str, str]:
    """locale -> the folder its pages are built under ('' for the default language)."""
    i18n = config.plugins['i18n'].config
    return {lang.locale: '' if lang.default else f'{lang.locale}/' for lang in i18n.languages}


def on_post_build(config, **kwargs):
    whole = Path(config.site_dir) / 'search' / 'search_index.json'
    index = json.loads(whole.read_text(encoding='utf-8'))
    langs = languages(config)
    others = [prefix for prefix in langs.values() if prefix]
    for locale, prefix in langs.items():
        if prefix:
            docs = [d for d in index['docs'] if d['location'].startswith(prefix)]
        else:
            docs = [d for d in index['docs'] if not any(d['location'].startswith(p) for p in others)]
        if not docs:
            continue
        part = {**index, 'docs': docs}
        out = whole.with_name(f'search_index.{locale}.json')
        out.write_text(json.dumps(part, ensure_ascii=False, separators=(',', ':')), encoding='utf-8')
