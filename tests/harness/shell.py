"""Run a reader's command: with no stdin and no TTY, or, for a command that asks for a terminal
(`docker run -it`, `kubectl exec -it`), in a pseudo-terminal where the runner types what the page
shows the reader typing at a shell prompt."""
from __future__ import annotations

import fcntl
import os
import re
import select
import shlex
import signal
import struct
import subprocess
import termios
import time
from dataclasses import dataclass
from pathlib import Path

from tests.harness.reader import Account


@dataclass(frozen=True)
class Result:
    argv: tuple[str, ...]
    returncode: int      # -9 when the timeout killed it
    stdout: str
    stderr: str          # empty when stderr was merged into stdout
    seconds: float
    timed_out: bool = False
    merged: bool = False  # stderr went into stdout


    def tail(self, lines: int = 20) -> str:
        """The last lines of stdout and stderr, labelled, for failure messages."""
        parts = []
        for name, text in (('output' if self.merged else 'stdout', self.stdout), ('stderr', self.stderr)):
            kept = text.rstrip('\n').split('\n')[-lines:] if text.strip() else []
            if kept:
                parts.append(f'--- {name} (last {len(kept)} lines) ---\n' + '\n'.join(kept))
        return '\n'.join(parts) or '(no output)'


def run(argv: list[str], cwd: Path, env: dict[str, str], timeout: float, merge: bool = False,
        account: Account | None = None) -> Result:
    """Run argv (as account, if given) in its own process group, so a timeout also stops what it started."""
    started = time.monotonic()
    with subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT if merge else subprocess.PIPE,
                          start_new_session=True, **(account.popen_args() if account else {})) as process:
        try:
            out, err = process.communicate(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, err = process.communicate()
            timed_out = True
    return Result(tuple(argv), process.returncode, _text(out), _text(err),
                  time.monotonic() - started, timed_out, merge)


def _text(data: bytes | None) -> str:
    return data.decode('utf-8', errors='replace') if data else ''


# A command asks for a terminal: docker run/exec or kubectl exec/run with one of these words. A word
# that belongs to the container's own command counts too: in a terminal such a command still prints
# the same, apart from what normalisation removes.
_TERMINAL_COMMANDS = {'docker': {'run', 'exec'}, 'kubectl': {'exec', 'run'}}
_TERMINAL_FLAGS = {'-t', '-it', '-ti', '--tty', '--tty=true'}
# bash's default prompts: `root@<host>:<dir># ` and `<user>@<host>:<dir>$ `.
SHELL_PROMPT = re.compile(r'^[\w.-]+@[\w.-]+:[^\n#$]*[#$] ')
# What a terminal adds to a program's output: control sequences (CSI such as bracketed paste
# `ESC[?2004h`, OSC such as a window title, two-character escapes) and carriage returns that move nowhere.
_CONTROL = re.compile(r'\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]')
_IDLE_CR = re.compile(r'\r+(?=\n)|(?<=\n)\r+|\A\r+')
TERMINAL_SIZE = (50, 200)   # rows, columns: wide enough that typed lines do not wrap
PROMPT_TIMEOUT = 60         # seconds to wait for a prompt before typing
# How long the terminal stays quiet after a prompt before the runner types. A prompt can be drawn
# twice: `kubectl exec -it` sends the terminal's size once attached, and bash redraws its prompt on
# that resize, dropping what was typed in between.
PROMPT_QUIET = 0.5


def wants_terminal(command: str) -> bool:
    """Whether a docker run/exec or kubectl exec/run in command asks for a TTY (-t, -it, -ti, --tty)."""
    try:
        lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        words = list(lexer)
    except ValueError:
        return False
    simple: list[str] = []
    for word in [*words, ';']:
        if word and set(word) <= set(';&|()<>'):
            if simple and os.path.basename(simple[0]) in _TERMINAL_COMMANDS:
                options = simple[1:simple.index('--')] if '--' in simple else simple[1:]
                subcommands = _TERMINAL_COMMANDS[os.path.basename(simple[0])]
                if subcommands & set(options) and _TERMINAL_FLAGS & set(options):
                    return True
            simple = []
        else:
            simple.append(word)
    return False


def typed_lines(shown: str) -> list[str]:
    """What the reader types: the rest of each shown line that starts with a shell prompt."""
    return [line[match.end():] for line in shown.split('\n') if (match := SHELL_PROMPT.match(line))]


def from_terminal(text: str) -> str:
    """A terminal's output as the reader reads it: CRLF as LF, control sequences removed, and a prompt
    that the shell drew again over itself (a carriage return, then the prompt) shown once."""
    lines = _IDLE_CR.sub('', _CONTROL.sub('', text).replace('\r\n', '\n')).split('\n')
    return '\n'.join(_redrawn(line) for line in lines)


def _redrawn(line: str) -> str:
    """What is left of a line where a shell prompt was drawn again from its first column."""
    parts = line.split('\r')
    redraws = [i for i, part in enumerate(parts) if i and SHELL_PROMPT.match(part)]
    return '\r'.join(parts[redraws[-1]:]) if redraws else line


def run_in_terminal(argv: list[str], cwd: Path, env: dict[str, str], timeout: float, typed: list[str],
                    account: Account | None = None) -> Result:
    """Run argv with a pseudo-terminal as stdin, stdout and stderr. Before each typed line, wait until
    the output ends with a shell prompt; after the last one, wait until the command ends."""
    started = time.monotonic()
    deadline = started + timeout
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack('HHHH', *TERMINAL_SIZE, 0, 0))
    output, note = bytearray(), ''
    with subprocess.Popen(argv, cwd=cwd, env={'TERM': 'xterm', **env}, stdin=slave, stdout=slave, stderr=slave,
                          start_new_session=True, **(account.popen_args() if account else {})) as process:
        os.close(slave)
        try:
            waited = 'done'
            for line in typed:
                waited = _read_prompt(master, output, process, min(deadline, time.monotonic() + PROMPT_TIMEOUT))
                if waited != 'done':
                    note = (f'page-runner: the command ended before a shell prompt to type "{line}" at'
                            if waited == 'ended' else
                            f'page-runner: no shell prompt to type "{line}" at (waited {PROMPT_TIMEOUT} s)')
                    break
                os.write(master, line.encode() + b'\r')   # Enter
            else:
                waited = _read(master, output, process, deadline, lambda: False)
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()) if waited == 'ended' else 0)
                timed_out = False
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                timed_out = not note
        finally:
            process.wait()
            os.close(master)
    return Result(tuple(argv), process.returncode, from_terminal(_text(bytes(output))), note,
                  time.monotonic() - started, timed_out, True)


def _read(master: int, output: bytearray, process: subprocess.Popen, deadline: float, done) -> str:
    """Read what the terminal prints into output until done() is true ('done'), the command ended
    ('ended') or the deadline passed ('deadline')."""
    while not done():
        ready, _, _ = select.select([master], [], [], max(0.0, min(0.1, deadline - time.monotonic())))
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:   # EIO: every holder of the terminal closed it
                data = b''
            if not data:
                return 'ended'
            output += data
        elif process.poll() is not None:
            return 'ended'
        elif time.monotonic() >= deadline:
            return 'deadline'
    return 'done'


def _read_prompt(master: int, output: bytearray, process: subprocess.Popen, deadline: float) -> str:
    """Read until the output ends with a shell prompt and then prints nothing for PROMPT_QUIET seconds."""
    since = len(output)
    while True:
        waited = _read(master, output, process, deadline, lambda: _ends_with_prompt(output[since:]))
        if waited != 'done':
            return waited
        size = len(output)
        quiet = _read(master, output, process, min(deadline, time.monotonic() + PROMPT_QUIET),
                      lambda: len(output) > size)
        if quiet == 'ended':
            return quiet
        if quiet == 'deadline' and len(output) == size:
            return 'done'


def _ends_with_prompt(data: bytes) -> bool:
    last = from_terminal(_text(data)).rsplit('\n', 1)[-1]
    return SHELL_PROMPT.fullmatch(last) is not None
