"""Commands that ask for a terminal run in a pseudo-terminal, and the runner types what the page shows
the reader typing at a shell prompt."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.harness import shell, transcript

FIXTURE_SITE = Path(__file__).resolve().parents[1] / 'fixtures' / 'runner'
# An interactive bash with the prompt a container's root shell shows, and no startup files.
BASH = ['bash', '--norc', '--noprofile', '-i']


@pytest.fixture
def env(tmp_path):
    return {'PATH': os.environ['PATH'], 'HOME': str(tmp_path), 'PS1': r'root@\h:\w# '}


@pytest.mark.static
@pytest.mark.parametrize('command, wanted', [
    ('docker run -it --rm debian:12 bash', True),
    ('docker run -ti --rm debian:12 bash', True),
    ('docker container run --tty --rm debian:12 ls', True),
    ('docker exec -it everyday-web bash', True),
    ('docker ps && docker exec -t everyday-web ls', True),
    ('kubectl exec -it web -- sh', True),
    ('kubectl run shell --rm -it --image=debian:12 -- bash', True),
    ('docker run -i --rm debian:12 cat', False),
    ('docker run --rm debian:12 echo -it', True),   # harmless: a terminal changes nothing normalisation keeps
    ('kubectl exec web -- ls -t', False),           # after `--`: the container's command
    ('echo docker run -it | cat', False),
    ('docker logs -t everyday-web', False),
])
def test_which_commands_ask_for_a_terminal(command, wanted):
    assert shell.wants_terminal(command) is wanted


@pytest.mark.static
def test_only_what_a_terminal_adds_is_removed():
    raw = '\x1b[?2004hroot@vm:/# echo hi\r\n\x1b[?2004l\rhi\r\n\x1b]0;title\x07\x1b[1mbold\x1b[0m\r\n'
    assert shell.from_terminal(raw) == 'root@vm:/# echo hi\nhi\nbold\n'
    # a carriage return that moves the cursor back over text is kept: the comparison then shows it
    assert shell.from_terminal('10%\r100%\r\n') == '10%\r100%\n'
    # A prompt drawn again over itself is shown once, with what was typed after it.
    assert shell.from_terminal('root@pod:/# \r\x1b[Kroot@pod:/# ls\r\nbin\r\n') == 'root@pod:/# ls\nbin\n'


@pytest.mark.static
def test_typed_lines_are_the_lines_after_a_shell_prompt():
    shown = 'root@3f2a1b4c5d6e:/# cat /etc/debian_version\n12.12\nreader@web:~/app$ ls -l\nno prompt: here\n'
    assert shell.typed_lines(shown) == ['cat /etc/debian_version', 'ls -l']


@pytest.mark.static
def test_each_line_is_typed_at_a_prompt_and_the_output_compares_as_usual(env, tmp_path):
    shown = 'root@...:...# echo $((6 * 7))\n42\nroot@...:...# exit\nexit'
    result = shell.run_in_terminal(BASH, tmp_path, env, 30, ['echo $((6 * 7))', 'exit'])
    assert result.returncode == 0, result.tail()
    assert '\r' not in result.stdout and '\x1b' not in result.stdout
    assert transcript.matches(shown, result.stdout), result.stdout


# A shell that draws its prompt, then draws it again and drops what was typed before (as bash does
# when `kubectl exec -it` resizes the terminal right after attaching), then runs one line.
REDRAWING_SHELL = r'''
import sys, termios, time
prompt = "root@pod:/# "
sys.stdout.write(prompt); sys.stdout.flush()
time.sleep(0.2)
termios.tcflush(0, termios.TCIFLUSH)
sys.stdout.write("\r\x1b[K" + prompt); sys.stdout.flush()
print(eval(sys.stdin.readline()))
'''


@pytest.mark.static
def test_the_runner_types_only_once_a_redrawn_prompt_is_quiet(env, tmp_path):
    result = shell.run_in_terminal(['python3', '-c', REDRAWING_SHELL], tmp_path, env, 10, ['6 * 7'])
    assert result.returncode == 0, result.tail()
    assert result.stdout.endswith('6 * 7\n42\n'), result.stdout


@pytest.mark.static
def test_a_prompt_that_never_comes_fails_with_what_was_waited_for(env, tmp_path, monkeypatch):
    monkeypatch.setattr(shell, 'PROMPT_TIMEOUT', 1)
    waiting = ['python3', '-c', 'import time; print("no prompt here"); time.sleep(30)']
    result = shell.run_in_terminal(waiting, tmp_path, env, 30, ['exit'])
    assert result.returncode != 0 and result.seconds < 10
    assert result.stdout == 'no prompt here\n'
    assert result.stderr == 'page-runner: no shell prompt to type "exit" at (waited 1 s)'


@pytest.mark.static
def test_a_command_that_ends_before_its_prompt_says_so(env, tmp_path):
    result = shell.run_in_terminal(['python3', '-c', 'raise SystemExit(3)'], tmp_path, env, 30, ['exit'])
    assert result.returncode == 3
    assert result.stderr == 'page-runner: the command ended before a shell prompt to type "exit" at'


@pytest.fixture
def site(pytester):
    shutil.copytree(FIXTURE_SITE, pytester.path, dirs_exist_ok=True)
    return pytester


@pytest.mark.docker
def test_docker_run_it_is_typed_into_captured_and_passes_again(site):
    """The fixture's snippet shows only what the reader types; --update-output fills in the rest."""
    page, snippet = 'docs/zh/docker/terminal.md', site.path / 'snippets/docker/terminal/shell.console'
    # passed=2: the page's one block and the session's final leak check
    site.runpytest('-p', 'no:cacheprovider', '--update-output', page).assert_outcomes(passed=2)
    captured = snippet.read_text()
    assert '\r' not in captured and '\x1b' not in captured
    lines = captured.split('\n')
    assert lines[0] == '$ docker run -it --rm debian:12 bash'
    assert [line.split('# ', 1)[1] for line in lines if line.startswith('root@')] == \
        ['cat /etc/debian_version', 'exit']
    assert lines[2].startswith('12.')
    site.runpytest('-p', 'no:cacheprovider', page).assert_outcomes(passed=2)
