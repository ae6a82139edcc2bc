"""Run a reader's command the way a terminal would, minus the terminal: no stdin, no TTY."""
from __future__ import annotations

import os
import signal
import subprocess
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
