"""Console transcripts: split into commands and shown output, compare with a real run, rewrite.

A transcript line starting with `$ ` is a command; a trailing backslash continues it onto the next
line; the lines up to the next command are the output the reader should see.
"""
from __future__ import annotations

import difflib
import doctest
import re
from dataclasses import dataclass

PROMPT = '$ '
CHECK_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

# What changes from one run to the next, replaced in both the shown and the real output before
# comparing. Order matters: digests and dates hold hex digits and numbers that later rules would eat.
_SAFE = 'bcdfghjklmnpqrstvwxz2456789'  # the alphabet of Kubernetes' generated name suffixes
NORMALISATION = (
    ('digest', re.compile(r'\bsha256:[0-9a-f]{64}\b'), 'sha256:<digest>'),
    ('date', re.compile(r'\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?: ?(?:Z|[+-]\d{2}:?\d{2}))?'
                        r'(?: [A-Z]{3,5}\b)?)?'), '<date>'),
    ('date', re.compile(r'\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),? \d{1,2} \w{3} \d{4} \d{2}:\d{2}:\d{2}'
                        r'(?: [A-Z]{3,5}| [+-]\d{4})?'), '<date>'),
    # Common Log Format, as in web servers' access logs: 26/Nov/2026:16:08:49 +0000
    ('date', re.compile(r'\b\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2}(?: [+-]\d{4})?'), '<date>'),
    ('time', re.compile(r'\b\d{2}:\d{2}:\d{2}(?:\.\d+)?\b'), '<time>'),
    # A UUID may follow '_' (lease holders: kind-control-plane_<uuid>), where \b does not fire.
    ('uuid', re.compile(r'(?<![0-9a-f])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b'), '<uuid>'),
    ('id', re.compile(r'\b[0-9a-f]{64}\b|\b[0-9a-f]{12}\b'), '<id>'),
    ('pod name suffix', re.compile(rf'(?<=-)[{_SAFE}]{{6,10}}-[{_SAFE}]{{5}}\b|(?<=-)[{_SAFE}]{{5}}\b'),
     '<suffix>'),
    ('ip', re.compile(r'\b(?:\d{1,3}\.){3}\d{1,3}\b'), '<ip>'),
    ('size', re.compile(r'\b\d+(?:\.\d+)? ?(?:[kKMGT]i?)?B\b'), '<size>'),
    ('duration', re.compile(r'\b(?:About an?|Less than an?|\d+) (?:second|minute|hour|day|week|month|year)s?\b'),
     '<duration>'),
    ('duration', re.compile(r'\b\d+(?:\.\d+)?(?:ns|µs|us|ms|s|m|h|d)(?:\d+(?:\.\d+)?(?:ms|s|m|h))*\b'),
     '<duration>'),
)


def normalise(text: str) -> str:
    for _, pattern, replacement in NORMALISATION:
        text = pattern.sub(replacement, text)
    return text


@dataclass(frozen=True)
class Command:
    text: str            # what bash runs; continuation lines keep their backslash-newline
    first: int           # index of the command's first line in the transcript
    output: range        # indices of the shown output lines, trailing blank lines left out
    shown: str


def parse(text: str) -> list[Command]:
    lines = text.split('\n')
    starts = [i for i, line in enumerate(lines) if line.startswith(PROMPT)]
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


def matches(shown: str, real: str) -> bool:
    return doctest.OutputChecker().check_output(normalise(shown) + '\n', normalise(real) + '\n', CHECK_FLAGS)


def diff(shown: str, real: str, shown_label: str) -> str:
    """A unified diff of the raw texts, so the author sees exactly what the run printed."""
    return '\n'.join(difflib.unified_diff(_lines(shown), _lines(real), f'shown ({shown_label})', 'real',
                                          lineterm=''))


def _lines(text: str) -> list[str]:
    return text.rstrip('\n').split('\n') if text.strip() else []
