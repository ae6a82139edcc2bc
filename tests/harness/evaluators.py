"""The two evaluators Sybil calls for a page's blocks: a bash/sh script, and a console transcript."""
from __future__ import annotations

import dataclasses
import re

from tests.harness import rewrite, shell, transcript
from tests.harness.pages import Fence, Origin

BLOCK_TIMEOUT = 600  # seconds, for one bash block or one console command
# Prepended to bash blocks so that a failure names the line of the block that failed.
_ERR_MARK = 'page-runner: failed at block line'
_ERR_TRAP = f"trap 'echo \"{_ERR_MARK} $((LINENO - 1)) with exit code $?\" >&2' ERR\n"
_ERR_LINE = re.compile(rf'^{_ERR_MARK} (\d+) with exit code \d+\n?', re.MULTILINE)


def run_script(example) -> str | None:
    """A bash or sh block: one script, `bash -euo pipefail`."""
    fence: Fence = example.parsed
    run = example.namespace['page_run']
    run.start_block()
    result = shell.run(['bash', '-euo', 'pipefail', '-c', _ERR_TRAP + fence.text], run.workdir, run.env,
                       BLOCK_TIMEOUT, account=run.account)
    run.recorder.add_build_output(result.stdout + result.stderr)
    if result.returncode == 0:
        return None
    run.failed_at = fence.line
    marks = _ERR_LINE.findall(result.stderr)
    failed = dataclasses.replace(result, stderr=_ERR_LINE.sub('', result.stderr))
    if marks:
        index = int(marks[-1]) - 1
        where, command = fence.origins[index], fence.text.split('\n')[index]
    else:
        where, command = None, fence.text
    return _failure(f'{fence.language} block', fence, where, command, failed)


def run_console(example) -> str | None:
    """A console transcript: each `$ ` command runs on its own; its output is compared with the shown one,
    or, with --update-output, taken as the new shown output. A command that asks for a terminal runs in
    one, and the lines its shown output has after a shell prompt are typed into it."""
    fence: Fence = example.parsed
    run = example.namespace['page_run']
    run.start_block()
    differences = []
    for command in transcript.parse(fence.text):
        argv = ['bash', '-o', 'pipefail', '-c', command.text]
        if shell.wants_terminal(command.text):
            result = shell.run_in_terminal(argv, run.workdir, run.env, BLOCK_TIMEOUT,
                                           shell.typed_lines(command.shown), account=run.account)
        else:
            result = shell.run(argv, run.workdir, run.env, BLOCK_TIMEOUT, merge=True, account=run.account)
        run.recorder.add_build_output(result.stdout)
        if result.returncode != 0:
            run.failed_at = fence.line
            return _failure('console command', fence, fence.origins[command.first], command.text, result)
        if run.update_output:
            new = transcript.refresh(command.shown, result.stdout, run.bindings, run.host)
            run.edits.append(rewrite.edit_for(fence, command, new))
            continue
        problems = transcript.compare(command.shown, result.stdout, run.bindings, run.host)
        if problems is None:
            continue
        shown_at = fence.origins[command.output.start] if command.output else fence.origins[command.first]
        differences.append('\n'.join([f'$ {command.text}', *problems,
                                      transcript.diff(command.shown, result.stdout, str(shown_at))]))
    if differences:
        run.failed_at = fence.line
        return ('the real output differs from the shown output (see "Comparing outputs" on the testing '
                'page for what may vary; `pytest --update-output` takes the output of a real run)\n\n'
                + '\n\n'.join(differences))
    return None


def _failure(what: str, fence: Fence, where, command: str, result: shell.Result) -> str:
    lines = [f'{what} failed with exit code {result.returncode} after {result.seconds:.1f} s'
             + (f' (killed at the {BLOCK_TIMEOUT} s timeout)' if result.timed_out else ''),
             f'  page:    {Origin(fence.page, fence.line)} ({fence.info or "no info"})']
    if where is not None:
        lines.append(f'  source:  {where}')
    lines.append('  command: ' + command.replace('\n', '\n           '))
    lines.append(result.tail())
    return '\n'.join(lines)
