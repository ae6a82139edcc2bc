"""The static tier (`pytest -m static`, `./dev static`): checks that need no engine and no cluster.

sources.py   CONTRIBUTING.md's rules: code only from snippets/, includes resolve, every snippet used,
             zh/en twins, skips under `!!! not-verified`, tiers
linters.py   shellcheck, hadolint, Kubernetes schemas, the Compose schema, actionlint, autocorrect
built_site.py  the strict build of both languages, and no request to another host when it is read

Each check is a function of a tree (the repository, or a fixture under tests/fixtures/static/) that
returns problems as `path:line: what is wrong`.
"""
