"""Linters and validators over the code a tree shows, and over the project's own scripts."""
from __future__ import annotations

import difflib
import re
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import autocorrect_py
import jsonschema
import kubernetes_validate
import yaml
from jsonschema.exceptions import best_match

from tests.harness import includes, transcript
from tests.static import tools
from tests.static.tree import by_location, fence_lines, load_pages, problem, yaml_error

SHELL_FENCES = ('bash', 'sh', 'shell')
COMPOSE_NAME = re.compile(r'^(docker-)?compose(\.[\w-]+)?\.ya?ml$')
DOCKERFILE_NAME = re.compile(r'^(Dockerfile(\.[\w-]+)?|[\w-]+\.[Dd]ockerfile)$')
# kind's and kubeadm's configuration files are written like Kubernetes objects, but no API server
# serves them and there is no schema for them: the pages that use them run them.
CONFIGURATION_API_GROUPS = ('kind.x-k8s.io/', 'kubeadm.k8s.io/')
GCC_LINE = re.compile(r'^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): (?P<message>.*)$')
# The project's conventions for Chinese text, the same for the site and for the fixture trees.
autocorrect_py.load_config((tools.REPO / '.autocorrectrc').read_text(encoding='utf-8'))


def shown_in(root: Path) -> dict[Path, set[str]]:
    """Each included file, and the languages of the fences that show it."""
    languages: dict[Path, set[str]] = {}
    for page in load_pages(root):
        for fence in page.fences:
            for path in fence.snippet_files:
                languages.setdefault(path.resolve(), set()).add(fence.language)
    return languages


def _snippets(root: Path, name_matches, fence_languages) -> list[Path]:
    """Files under snippets/ with a matching name or shown in a fence of one of the languages."""
    shown = shown_in(root)
    return [path for path in sorted((root / 'snippets').rglob('*'))
            if path.is_file() and (name_matches(path.name) or shown.get(path.resolve(), set()) & set(fence_languages))]


def project_scripts(root: Path) -> list[Path]:
    """The README's commands, CI's entry point and the lab's scripts."""
    lab = [path for path in sorted((root / 'lab').rglob('*')) if path.is_file() and
           (path.suffix == '.sh' or re.match(rb'#!.*\b(ba)?sh\b', path.read_bytes()[:64]))]
    return [path for path in (root / 'dev', root / '.ci/run') if path.is_file()] + lab


def shellcheck(root: Path) -> list[str]:
    """shellcheck over shell snippets, the commands of console transcripts, and the project's scripts."""
    scripts = _snippets(root, lambda name: name.endswith('.sh'), SHELL_FENCES) + project_scripts(root)
    consoles = _snippets(root, lambda name: name.endswith('.console'), ('console',))
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor() as pool:
        shown_as = {}
        for index, console in enumerate(consoles):
            commands = Path(tmp) / f'{index}.sh'
            commands.write_text(console_commands(console.read_text(encoding='utf-8')), encoding='utf-8')
            shown_as[str(commands)] = str(console.relative_to(root))
        # A transcript runs in its snippet folder: files it sources are found there.
        folders = ':'.join(sorted({str(console.parent) for console in consoles}))
        # One shellcheck per script, in parallel: a long lab script would hold up the rest.
        runs = [pool.submit(_shellcheck, root, [script], {}) for script in scripts]
        runs.append(pool.submit(_shellcheck, root, list(map(Path, shown_as)), shown_as,
                                ('--external-sources', f'--source-path={folders}')))
        return [line for run in runs for line in run.result()]


def console_commands(text: str) -> str:
    """The commands of a transcript on their own lines, output lines blanked (line numbers kept)."""
    return '\n'.join(transcript.command_lines(text))


def _shellcheck(root: Path, scripts: list[Path], shown_as: dict[str, str],
                options: tuple[str, ...] = ()) -> list[str]:
    if not scripts:
        return []
    run = subprocess.run([str(tools.venv_tool('shellcheck')), '--shell=bash', '--format=gcc', *options,
                          *(str(p.relative_to(root)) if p.is_relative_to(root) else str(p) for p in scripts)],
                         cwd=root, capture_output=True, text=True)
    if run.returncode not in (0, 1):
        raise RuntimeError(f'shellcheck failed:\n{run.stderr}')
    found = []
    for line in run.stdout.splitlines():
        m = GCC_LINE.match(line)
        found.append(f'{shown_as.get(m["file"], m["file"])}:{m["line"]}: {m["message"]}' if m else line)
    return found


def hadolint(root: Path) -> list[str]:
    """hadolint over the Dockerfiles in snippets/ and lab/, with the project's .hadolint.yaml."""
    dockerfiles = _snippets(root, DOCKERFILE_NAME.match, ('dockerfile',))
    dockerfiles += [p for p in sorted((root / 'lab').rglob('*')) if p.is_file() and DOCKERFILE_NAME.match(p.name)]
    if not dockerfiles:
        return []
    config = tools.REPO / '.hadolint.yaml'
    run = subprocess.run([str(tools.venv_tool('hadolint')), '--no-color', '--config', str(config),
                          *(str(p.relative_to(root)) for p in dockerfiles)],
                         cwd=root, capture_output=True, text=True)
    if run.returncode not in (0, 1) or run.stderr:
        raise RuntimeError(f'hadolint failed:\n{run.stderr}')
    # hadolint prints "path:line CODE level: message".
    return [re.sub(r'^(\S+:\d+) ', r'\1: ', line) for line in run.stdout.splitlines()]


def yaml_snippets(root: Path) -> list[Path]:
    return _snippets(root, lambda name: name.endswith(('.yaml', '.yml')), ('yaml', 'yml'))


def _documents(root: Path, path: Path, found: list[str]):
    """(data, node) of each non-empty YAML document of a file; a parse error is reported instead."""
    text = path.read_text(encoding='utf-8')
    try:
        pairs = list(zip(yaml.safe_load_all(text), yaml.compose_all(text)))
    except yaml.YAMLError as error:
        line, message = yaml_error(error, 1)
        found.append(problem(root, path, line, f'not YAML: {message}'))
        return []
    return [(data, node) for data, node in pairs if data is not None]


def _line(node: yaml.Node, error: jsonschema.ValidationError) -> int:
    """The line of the value an error is about (of the unexpected key, for an unknown field)."""
    path = list(error.absolute_path)
    if error.validator == 'additionalProperties' and isinstance(error.instance, dict):
        known = error.schema.get('properties', {})
        patterns = error.schema.get('patternProperties', {})
        path += [key for key in error.instance
                 if key not in known and not any(re.search(p, key) for p in patterns)][:1]
    for depth, key in enumerate(path, start=1):
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == str(key)), None)
            if pair is None:
                break
            node = pair[0] if depth == len(path) else pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
    return node.start_mark.line + 1


def _where(error: jsonschema.ValidationError) -> str:
    return '.'.join(map(str, error.absolute_path)) or '(top level)'


def custom_resource_schemas(crd_dir: Path | None) -> dict[tuple[str, str], dict]:
    """(apiVersion, kind) -> the strict schema of each served version of the CRDs in crd_dir."""
    schemas = {}
    for path in sorted(crd_dir.glob('*.yaml')) if crd_dir else []:
        crd = yaml.safe_load(path.read_text(encoding='utf-8'))
        for version in crd['spec']['versions']:
            if version.get('served'):
                api_version = f'{crd["spec"]["group"]}/{version["name"]}'
                schemas[api_version, crd['spec']['names']['kind']] = _strict(version['schema']['openAPIV3Schema'])
    return schemas


def _strict(schema):
    """A CRD's schema as the API server applies it with kubectl's strict field validation: a field
    that an object's schema does not list is an error."""
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    strict = {key: _strict(value) for key, value in schema.items()}
    if ('properties' in schema and 'additionalProperties' not in schema
            and not schema.get('x-kubernetes-preserve-unknown-fields')):
        strict['additionalProperties'] = False
    return strict


def kubernetes_manifests(root: Path, crd_dir: Path | None = None) -> list[str]:
    """Kubernetes objects in YAML snippets, against the schemas of KUBERNETES_VERSION, strictly:
    unknown fields and wrong types fail. Objects of the CRDs in crd_dir (the Gateway API's) are
    checked against the CRDs' own schemas (their CEL rules are left to the API server)."""
    version = tools.versions()['KUBERNETES_VERSION']
    custom = custom_resource_schemas(crd_dir)
    found = []
    for path in yaml_snippets(root):
        for data, node in _documents(root, path, found):
            if not (isinstance(data, dict) and 'apiVersion' in data and 'kind' in data):
                continue
            if str(data['apiVersion']).startswith(CONFIGURATION_API_GROUPS):
                continue
            if (data['apiVersion'], data['kind']) in custom:
                errors = jsonschema.Draft7Validator(custom[data['apiVersion'], data['kind']]).iter_errors(data)
                error = best_match(errors)
                if error is not None:
                    found.append(problem(root, path, _line(node, error),
                                         f'{data["kind"]} {_where(error)}: {error.message} ({data["apiVersion"]} CRD)'))
                continue
            try:
                kubernetes_validate.validate(data, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                found.append(problem(root, path, _line(node, error),
                                     f'{data["kind"]} {_where(error)}: {error.message} (Kubernetes {error.version})'))
            except kubernetes_validate.SchemaNotFoundError as error:
                found.append(problem(root, path, node.start_mark.line + 1, error.message))
    return found


def compose_files(root: Path, schema_path: Path) -> list[str]:
    """Compose files in snippets/, against the Compose specification's schema."""
    schema = yaml.safe_load(schema_path.read_text(encoding='utf-8'))
    # The draft the schema names (2020-12 in current compose-go); older ones spelt draft-07 in a way
    # jsonschema does not recognise ("...draft-07/schema"), hence the default.
    validator = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)(schema)
    found = []
    for path in yaml_snippets(root):
        for data, node in _documents(root, path, found):
            is_compose = COMPOSE_NAME.match(path.name) or (
                isinstance(data, dict) and 'services' in data and 'apiVersion' not in data)
            if not is_compose:
                continue
            errors = [best_match([error]) for error in validator.iter_errors(data)]
            for error in errors:
                if _follows_from(error, errors):
                    continue
                found.append(problem(root, path, _line(node, error), f'{_where(error)}: {error.message}'))
    return sorted(found, key=by_location)


def _follows_from(error: jsonschema.ValidationError, errors) -> bool:
    """A property that failed its own schema is also 'unevaluated' for its parent (draft 2020-12):
    that second error says nothing new."""
    if error.validator != 'unevaluatedProperties':
        return False
    invalid = {tuple(other.absolute_path)[:len(error.absolute_path) + 1] for other in errors if other is not error}
    unexpected = re.findall(r"'([^']*)'", error.message)
    return bool(unexpected) and all((*error.absolute_path, name) in invalid for name in unexpected)


def actionlint(root: Path, binary: Path) -> list[str]:
    """actionlint over the GitHub workflows (shell steps go through the venv's shellcheck)."""
    workflows = sorted((root / '.github' / 'workflows').glob('*.y*ml'))
    if not workflows:
        return []
    run = subprocess.run([str(binary), '-no-color', '-oneline', '-shellcheck', str(tools.venv_tool('shellcheck')),
                          *(str(p.relative_to(root)) for p in workflows)],
                         cwd=root, capture_output=True, text=True)
    if run.returncode not in (0, 1):
        raise RuntimeError(f'actionlint failed:\n{run.stdout}{run.stderr}')
    return [re.sub(r'^(\S+:\d+):\d+:', r'\1:', line) for line in run.stdout.splitlines()]


def chinese_spacing(root: Path) -> list[str]:
    """autocorrect's spacing rules over the prose of the Chinese pages (code and includes left out)."""
    found = []
    for page in load_pages(root):
        if page.rel.parts[1] != 'zh':
            continue
        for result in autocorrect_py.lint_for(prose(page), 'page.md').lines:
            found += [problem(root, page.path, result.line, f'write "{new}", not "{old}"' +
                              # Chinese text usually takes full-width brackets, which need no spaces.
                              (' (or use full-width brackets （）)' if re.search(r'[()]', old) else ''))
                      for old, new in changes(result.old, result.new)]
    return found


def changes(old: str, new: str, context: int = 4) -> list[tuple[str, str]]:
    """The changed stretches of a line, each with a few characters and whole words around it."""
    stretches: list[list[int]] = []  # [old start, old end, new start, new end]
    for tag, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == 'equal':
            continue
        if stretches and a1 - stretches[-1][1] <= 2 * context:
            stretches[-1][1], stretches[-1][3] = a2, b2
        else:
            stretches.append([a1, a2, b1, b2])
    shown = []
    for a1, a2, b1, b2 in stretches:
        before = _widen_left(old, max(0, a1 - context))
        after = _widen_right(old, min(len(old), a2 + context))
        shown.append((old[before:after], new[b1 - (a1 - before):b2 + (after - a2)]))
    return shown


def _widen_left(text: str, start: int) -> int:
    while 0 < start and text[start - 1].isascii() and text[start - 1].isalnum():
        start -= 1
    return start


def _widen_right(text: str, end: int) -> int:
    while end < len(text) and text[end].isascii() and text[end].isalnum():
        end += 1
    return end


def prose(page) -> str:
    """The page with fences and include lines blanked, and indentation removed so that admonition
    bodies read as text rather than as indented code (line numbers kept)."""
    blank = fence_lines(page)
    return '\n'.join('' if number in blank or includes.INCLUDE_LINE.match(line) else line.lstrip()
                     for number, line in enumerate(page.text.split('\n'), start=1))
