"""A Pygments lexer for the site's console transcripts, read exactly as the test runner reads them.

CONTRIBUTING.md: in a ```console block, lines starting with `$ ` are commands (a trailing `\`
continues them) and every other line is output. Pygments' own console lexer also takes lines
starting with `#`, `%`, `❯`, `user@host:~$` or `(venv)` for prompts, so real output such as
BuildKit's `#6 [2/4] RUN ...` would be highlighted, and copied, as a command.
"""
import re

from pygments.lexers.shell import BashSessionLexer


class TranscriptLexer(BashSessionLexer):
    name = 'Transcript'
    aliases = ['transcript']
    filenames = []
    mimetypes = []

    _ps1rgx = re.compile(r'^(\$ )(.*\n?)')
    _venv = re.compile(r'(?!)')  # never matches: no virtualenv prefix before a prompt
