"""A page as the harness sees it: front matter, tier, and its fenced blocks as the reader sees them.

Every fence keeps its line on the page, the text after include expansion (pymdownx's own
preprocessor, see includes.py) and, for each line of that text, the file and line it comes from,
so that a failure can point at the snippet file and `--update-output` can rewrite it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from sybil import Document
from sybil.parsers.markdown.lexers import RawFencedCodeBlockLexer

from tests.harness import includes

REPO = includes.REPO
TIERS = ('docker', 'kind')
# The first folder under docs/<lang>/ decides the tier unless front matter says otherwise.
TIER_BY_SECTION = {'docker': 'docker', 'kubernetes': 'kind'}
RUNNABLE = ('bash', 'sh', 'console')

# The page format (CONTRIBUTING.md), read by the runner and checked by the static tier: the front
# matter keys a page may set (the runner's and MkDocs'), the one skip marker, and the admonition that must announce a skip.
FRONT_MATTER_KEYS = ('tier', 'pod-security', 'pod-security-reason',
                     'title', 'description', 'hide', 'icon', 'status', 'search', 'template')  # MkDocs' own
POD_SECURITY_LEVELS = ('restricted', 'baseline', 'privileged')
SKIP_NEXT = re.compile(r'^(?P<indent>[ \t]*)<!-- skip: next -->[ \t]*$')
NOT_VERIFIED = re.compile(r'^[ \t]*!!! not-verified[ \t]+"(?P<title>[^"]*)"', re.MULTILINE)

FRONT_MATTER = re.compile(r'\A---[ \t]*\n(?P<yaml>.*?\n)---[ \t]*\n', re.DOTALL)
_LEXER = RawFencedCodeBlockLexer(info_pattern=re.compile(r'(?P<info>[^\n]*)\n'))


@dataclass(frozen=True)
class Origin:
    """Where one line of a fence comes from: the page itself or a snippet file."""
    path: Path
    line: int  # 1-based

    def __str__(self) -> str:
        return f'{_shown(self.path)}:{self.line}'


@dataclass(frozen=True)
class Fence:
    page: Path
    start: int          # character offsets of the whole block on the page
    end: int
    line: int           # 1-based page line of the opening fence
    info: str           # everything after the backticks, e.g. 'bash title="run.sh"'
    source: str         # the body as written on the page
    text: str           # the body with includes expanded: what the reader sees and copies
    origins: tuple[Origin, ...]  # one per line of text
    includes: tuple[includes.Include, ...]  # lines are page lines

    @property
    def language(self) -> str:
        """The first word of the info string, also in the attribute form ``{.bash ...}``."""
        words = self.info.strip().lstrip('{').split()
        return words[0].lstrip('.') if words else ''

    @property
    def runnable(self) -> bool:
        return self.language in RUNNABLE

    @property
    def snippet_files(self) -> tuple[Path, ...]:
        return tuple(dict.fromkeys(i.path for i in self.includes if i.path))


@dataclass(frozen=True)
class Page:
    path: Path          # absolute
    root: Path          # the site root holding mkdocs.yml, docs/ and snippets/
    text: str
    meta: dict
    fences: tuple[Fence, ...]

    @property
    def rel(self) -> Path:
        return self.path.relative_to(self.root)

    @property
    def topic(self) -> Path:
        """<section>/<topic> of docs/<lang>/<section>/<topic>.md."""
        return self.rel.relative_to(*self.rel.parts[:2]).with_suffix('')

    @property
    def snippet_dir(self) -> Path:
        return self.root / 'snippets' / self.topic

    @property
    def tier(self) -> str | None:
        tier = self.meta.get('tier') or TIER_BY_SECTION.get(self.topic.parts[0])
        if tier is not None and tier not in TIERS:
            raise ValueError(f'{self.rel}: tier must be one of {", ".join(TIERS)}, not {tier!r}')
        return tier

    @property
    def pod_security(self) -> str:
        """The Pod Security level enforced in the namespace of a kind page."""
        level = self.meta.get('pod-security', 'restricted')
        if level not in POD_SECURITY_LEVELS:
            raise ValueError(f'{self.rel}: pod-security must be one of {", ".join(POD_SECURITY_LEVELS)}, not {level!r}')
        if level != 'restricted' and not self.meta.get('pod-security-reason'):
            raise ValueError(f'{self.rel}: pod-security: {level} needs a pod-security-reason in the front matter')
        return level

    def format_problems(self) -> list[tuple[str, str]]:
        """What breaks the page format in the front matter: (key, message) pairs."""
        problems = [(key, f'unknown front matter key {key!r} (known: {", ".join(FRONT_MATTER_KEYS)})')
                    for key in self.meta if key not in FRONT_MATTER_KEYS]
        for key, prop in (('tier', 'tier'), ('pod-security', 'pod_security')):
            try:
                getattr(self, prop)
            except ValueError as error:
                problems.append((key, str(error).removeprefix(f'{self.rel}: ')))
        return problems


def front_matter(text: str) -> dict:
    m = FRONT_MATTER.match(text)
    return (yaml.safe_load(m.group('yaml')) or {}) if m else {}


def read_page(path: Path, root: Path = REPO) -> Page:
    path = Path(path).resolve()
    text = path.read_text(encoding='utf-8')
    return Page(path, root, text, front_matter(text), tuple(fences(text, path, root)))


def fences(text: str, page: Path, root: Path = REPO) -> list[Fence]:
    """The top-level fences of a page in page order (a fence shown inside a fence is content)."""
    regions = sorted(_LEXER(Document(text, str(page))), key=lambda r: r.start)
    found, outer_end = [], -1
    for region in regions:
        if region.start < outer_end:
            continue
        outer_end = region.end
        line = text.count('\n', 0, region.start) + 1
        source = str(region.lexemes['source']).removesuffix('\n')
        body, origins, written = _expand(source, page, line + 1, root)
        found.append(Fence(page, region.start, region.end, line, region.lexemes['info'].strip(),
                           source, body, origins, written))
    return found


def _expand(source: str, page: Path, first_line: int, root: Path):
    """Expand the includes of a fence body line by line, remembering each line's origin."""
    lines, origins = [], []
    written = tuple(includes.Include(i.target, i.path, first_line + i.line - 1)
                    for i in includes.includes(source, root))
    by_line = {i.line: i for i in written}
    for number, line in enumerate(source.split('\n'), start=first_line):
        include = by_line.get(number)
        if include is None:
            lines.append(line)
            origins.append(Origin(page, number))
            continue
        expanded = includes.expand(line, root).split('\n')
        lines.extend(expanded)
        origins.extend(_origins_in_file(expanded, include, Origin(page, number)))
    return '\n'.join(lines), tuple(origins), written


def _origins_in_file(expanded: list[str], include: includes.Include, fallback: Origin) -> list[Origin]:
    """Match expanded lines, in order, to the included file's lines.

    Section markers are dropped and subsections dedented by the preprocessor, so each expanded line
    is found as the next file line that ends with it. Lines a nested include brought in are not in
    the file: they point at the include on the page.
    """
    if include.path is None:
        return [fallback] * len(expanded)
    file_lines = include.path.read_text(encoding='utf-8').split('\n')
    ranges = re.search(r':(\d+)(?::-?\d*)?(?:,.*)?$', include.target)
    cursor = int(ranges.group(1)) - 1 if ranges else 0
    origins = []
    for line in expanded:
        for k in range(cursor, len(file_lines)):
            if file_lines[k].endswith(line) and file_lines[k].strip() == line.strip():
                origins.append(Origin(include.path, k + 1))
                cursor = k + 1
                break
        else:
            origins.append(fallback)
    return origins


def _shown(path: Path) -> Path:
    """Paths in messages are relative to the repository when they are inside it."""
    try:
        return path.relative_to(REPO)
    except ValueError:
        return path
