"""Console transcripts: the one grammar of a transcript, and how its shown output is compared with a
real run.

Grammar: a line starting with `$ ` is a command; a trailing backslash continues it onto the next
line; the lines up to the next command are the output the reader should see. The runner, the
shellcheck linter and the browser tier's copy-button check all read transcripts through parse().

Comparison: the shown output becomes a pattern that the real output must match whole.
- Literal text matches itself. A run of spaces or tabs matches any run of spaces or tabs (table
  columns realign when a value is wider), never a line break; trailing spaces are ignored.
- `...` matches anything, across lines too (doctest's ellipsis): the author's visible "this varies".
- Values that change from one run to the next match any value of their kind (RULES). IDs, digests
  and UUIDs are bound: across a whole
  page, one shown value stands for one real value, and two different shown values for two different
  real values. So a page that pushes an image as one digest and pulls it back as another fails.
- Facts of the machine a page was captured on (its kernel release) are recorded with the page
  (see captures.py) and must read as this machine's facts wherever the page shows them.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

PROMPT = '$ '
ELLIPSIS = '...'


@dataclass(frozen=True)
class Command:
    text: str            # what bash runs; continuation lines keep their backslash-newline
    first: int           # index of the command's first line in the transcript
    output: range        # indices of the shown output lines, trailing blank lines left out
    shown: str


def parse(text: str) -> list[Command]:
    lines = text.split('\n')
    starts, continued = [], False
    for i, line in enumerate(lines):
        if line.startswith(PROMPT) and not continued:
            starts.append(i)
        continued = (continued or line.startswith(PROMPT)) and line.endswith('\\')
    if not starts or any(line.strip() for line in lines[:starts[0]]):
        raise ValueError(f'a console block starts with a "{PROMPT}" command line')
    commands = []
    for n, first in enumerate(starts):
        last = first
        while lines[last].endswith('\\') and last + 1 < len(lines):
            last += 1
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        while end > last + 1 and not lines[end - 1].strip():
            end -= 1
        body = '\n'.join(lines[first:last + 1])[len(PROMPT):]
        output = range(last + 1, end)
        commands.append(Command(body, first, output, '\n'.join(lines[i] for i in output)))
    return commands


def command_lines(text: str) -> list[str]:
    """The transcript with each output line blanked and the prompts removed: what a reader copies,
    line for line (so a linter's line numbers are the transcript's)."""
    lines = [''] * len(text.split('\n'))
    for command in parse(text):
        for offset, line in enumerate(command.text.split('\n')):
            lines[command.first + offset] = line
    return lines


@dataclass(frozen=True)
class Rule:
    name: str
    shown: str           # how the value is recognised in the shown output
    real: str            # what it may be in the real output
    bound: str | None    # values of one namespace must correspond one to one across a page
    why: str


_SAFE = 'bcdfghjklmnpqrstvwxz2456789'  # the alphabet of Kubernetes' generated name suffixes
_HEX_ID = r'\b[0-9a-f]{64}\b|\b[0-9a-f]{12}\b'
_DURATION = r'\d+(?:\.\d+)?(?:ns|µs|us|ms|s|m|h|d)(?:\d+(?:\.\d+)?(?:ms|s|m|h))*\b'
# Order matters where two rules could start at the same place: the first one listed wins.
RULES = (
    Rule('digest', r'\bsha256:[0-9a-f]{64}\b', r'sha256:[0-9a-f]{64}', 'hex',
         'content digests change whenever a layer, a timestamp or a build changes'),
    Rule('date', r'\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?: ?(?:Z|[+-]\d{2}:?\d{2}))?'
                 r'(?: [A-Z]{3,5}\b)?)?', None, None, 'the day the page runs'),
    Rule('date', r'\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),? \d{1,2} \w{3} \d{4} \d{2}:\d{2}:\d{2}'
                 r'(?: [A-Z]{3,5}| [+-]\d{4})?', None, None, 'the day the page runs (HTTP dates)'),
    Rule('date', r'\b\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2}(?: [+-]\d{4})?', None, None,
         'the day the page runs (web servers\' access logs)'),
    Rule('time', r'\b\d{2}:\d{2}:\d{2}(?:\.\d+)?\b', None, None, 'the time the page runs'),
    # A UUID may follow or precede '_' (lease holders: kind-control-plane_<uuid>), where \b does not
    # fire: its ends are 'no hex digit next to it'.
    Rule('uuid', r'(?<![0-9a-f])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9a-f])',
         r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', 'uuid',
         'object UIDs and lease holders are random'),
    # Shown IDs hold a letter: a 12-digit decimal number is a number, not an ID.
    Rule('id', r'\b(?=\d{0,63}[a-f])[0-9a-f]{64}\b|\b(?=\d{0,11}[a-f])[0-9a-f]{12}\b', _HEX_ID, 'hex',
         'container, image and network IDs are random or content-derived'),
    # Not bound: Pods are listed in name order, so when one is replaced, the new one's random name
    # decides which row it takes, and rows do not keep their Pods from one run to the next.
    Rule('pod name suffix', rf'(?<=-)[{_SAFE}]{{6,10}}-[{_SAFE}]{{5}}\b|(?<=-)[{_SAFE}]{{5}}\b', None,
         None, 'ReplicaSets and Pods get random suffixes'),
    # Loopback and the wildcard address are the same everywhere: compared as written. Not bound:
    # controllers list addresses in an order of their own (an EndpointSlice's endpoints), so the same
    # addresses come in another order from run to run.
    Rule('ip', r'\b(?!0\.0\.0\.0\b|127\.)(?:\d{1,3}\.){3}\d{1,3}\b', r'(?:\d{1,3}\.){3}\d{1,3}', None,
         'addresses depend on what else runs on the engine or the cluster'),
    Rule('size', r'\b\d+(?:\.\d+)? ?(?:[kKMGT]i?)?B\b|\b\d+ bytes\b', None, None,
         'sizes vary with timestamps in layers, compression and the machine\'s memory'),
    Rule('duration', r'\b(?:About an?|Less than an?|\d+) (?:second|minute|hour|day|week|month|year)s?\b',
         None, None, 'ages and uptimes (docker ps)'),
    Rule('duration', r'\b' + _DURATION, None, None, 'ages and timings (kubectl AGE, build and pull times)'),
)
# A CPU quantity in millicores ("cpu: 100m") looks like an age in minutes: compared as written.
_CPU = r'\bcpu[:=][ \t]*\d+m\b'
_SHOWN = re.compile(f'(?P<literal>{_CPU})|'
                    + '|'.join(f'(?P<r{i}>{rule.shown})' for i, rule in enumerate(RULES))
                    + r'|(?P<ellipsis>\.\.\.)|(?P<space>[ \t]+)')


@dataclass
class Bindings:
    """Which real value each bound shown value stood for, so far on this page."""
    real_of: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)   # key -> (key, value)
    shown_of: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)

    def conflicts(self, pairs: list[tuple[str, str, str]]) -> list[str]:
        """Add (namespace, shown, real) pairs; returns what contradicts the page so far (adds nothing then)."""
        real_of, shown_of, problems = dict(self.real_of), dict(self.shown_of), []
        for namespace, shown, real in pairs:
            shown_key, real_key = _key(namespace, shown), _key(namespace, real)
            before_key, before = real_of.setdefault((namespace, shown_key), (real_key, real))
            if before_key != real_key:
                problems.append(f'{shown} stood for {before} earlier on the page, and here for {real}')
            other_key, other = shown_of.setdefault((namespace, real_key), (shown_key, shown))
            if other_key != shown_key:
                problems.append(f'{shown} and {other} are shown as two values, but the run printed '
                                f'{real} for both')
        if not problems:
            self.real_of, self.shown_of = real_of, shown_of
        return problems


def _key(namespace: str, value: str) -> str:
    """IDs and digests are compared by their first 12 hex digits: the short and the long form of one ID agree."""
    return value.removeprefix('sha256:')[:12] if namespace == 'hex' else value


@dataclass(frozen=True)
class _Template:
    """A shown output as a pattern, and how to write it again with another run's values."""
    regex: re.Pattern
    pieces: tuple[tuple[str, str], ...]   # ('text', literal) | ('group', name) | ('ellipsis', '...')
    bound: dict[str, tuple[str, str]]     # group name -> (namespace, shown value), first occurrences


def _template(shown: str) -> _Template:
    parts, pieces, bound, first_group = [], [], {}, {}
    position = 0

    def group(pattern: str) -> str:
        name = f'g{len(pieces)}'
        parts.append(f'(?P<{name}>{pattern})')
        pieces.append(('group', name))
        return name

    for match in _SHOWN.finditer(shown):
        parts.append(re.escape(shown[position:match.start()]))
        pieces.append(('text', shown[position:match.start()]))
        position = match.end()
        kind, value = match.lastgroup, match.group()
        if kind == 'literal':
            text = re.escape(value).replace('\\ ', ' ')
            parts.append(re.sub(r'[ \t]+', '[ \t]+', text))
            pieces.append(('text', value))
        elif kind == 'ellipsis':
            parts.append('.*?')
            pieces.append(('ellipsis', ELLIPSIS))
        elif kind == 'space':
            group('[ \t]+')
        else:
            rule = RULES[int(kind[1:])]
            real = rule.real or rule.shown
            if rule.bound is not None and (rule.bound, value) in first_group:
                parts.append(f'(?P={first_group[rule.bound, value]})')
                pieces.append(('group', first_group[rule.bound, value]))
            else:
                name = group(real)
                if rule.bound is not None:
                    first_group[rule.bound, value] = name
                    bound[name] = (rule.bound, value)
    parts.append(re.escape(shown[position:]))
    pieces.append(('text', shown[position:]))
    return _Template(re.compile(''.join(parts), re.DOTALL), tuple(pieces), bound)


def _tidy(text: str) -> str:
    return '\n'.join(line.rstrip() for line in text.rstrip().split('\n'))


def _match(shown: str, real: str, bindings: Bindings | None, host: dict[str, tuple[str, str]] | None):
    """(template, match, problems): match is None when the real output does not fit the shown one."""
    shown, real = _tidy(shown), _tidy(real)
    for captured, here in (host or {}).values():
        shown = shown.replace(captured, here)
    template = _template(shown)
    match = template.regex.fullmatch(real)
    if match is None:
        return template, None, []
    pairs = [(namespace, value, match.group(name)) for name, (namespace, value) in template.bound.items()]
    return template, match, (bindings if bindings is not None else Bindings()).conflicts(pairs)


def compare(shown: str, real: str, bindings: Bindings | None = None,
            host: dict[str, tuple[str, str]] | None = None) -> list[str] | None:
    """None when the real output matches the shown one; otherwise the reasons (possibly none given).

    host maps a fact's name to (value where the page was captured, value on this machine).
    """
    _, match, problems = _match(shown, real, bindings, host)
    if match is None:
        return problems
    return problems or None


def refresh(shown: str, real: str, bindings: Bindings | None = None,
            host: dict[str, tuple[str, str]] | None = None) -> str:
    """The output to show for this run: the shown one with this run's values where it still fits, keeping
    the author's `...`; the real output as it is where it does not."""
    template, match, problems = _match(shown, real, bindings, host)
    if match is None or problems:
        return real
    return ''.join(match.group(value) if kind == 'group' else value for kind, value in template.pieces)


def matches(shown: str, real: str) -> bool:
    return compare(shown, real) is None


def diff(shown: str, real: str, shown_label: str) -> str:
    """A unified diff of the raw texts, so the author sees exactly what the run printed."""
    return '\n'.join(difflib.unified_diff(_lines(shown), _lines(real), f'shown ({shown_label})', 'real',
                                          lineterm=''))


def _lines(text: str) -> list[str]:
    return text.rstrip('\n').split('\n') if text.strip() else []
