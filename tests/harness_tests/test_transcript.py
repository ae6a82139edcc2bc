"""Console transcripts: parsing, and what the normalisation lets vary between runs."""
from __future__ import annotations

import pytest

from tests.harness import transcript

pytestmark = pytest.mark.static  # no engine needed: part of the fast loop


def test_commands_continuations_and_output_ranges():
    text = '$ docker run --rm \\\n    debian:12 true\n$ echo a\na\n\n$ true\n'
    commands = transcript.parse(text)
    assert [c.text for c in commands] == ['docker run --rm \\\n    debian:12 true', 'echo a', 'true']
    assert [list(c.output) for c in commands] == [[], [3], []]
    assert commands[1].shown == 'a'


def test_a_transcript_starts_with_a_command():
    with pytest.raises(ValueError, match='starts with a "\\$ " command'):
        transcript.parse('output first\n$ true\n')


@pytest.mark.parametrize('shown, real', [
    # IDs: short and full container and image IDs
    ('4ae5f89f808f', '20ca8b2c8fa0'),
    ('Container ' + 'a' * 64, 'Container ' + 'b' * 64),
    # digests
    ('Digest: sha256:' + '1' * 64, 'Digest: sha256:' + '2' * 64),
    # sizes, as docker prints them
    ('debian 12 20ca8b2c8fa0 117MB', 'debian 12 4ae5f89f808f 1.2GB'),
    ('Total reclaimed space: 0B', 'Total reclaimed space: 12.5kB'),
    # and as the kubelet does in its events
    ('Image size: 49909887 bytes.', 'Image size: 49909797 bytes.'),
    # durations: docker ps, kubectl AGE, build times
    ('Up 3 seconds', 'Up About a minute'),
    ('Exited (0) 2 seconds ago', 'Exited (0) 5 minutes ago'),
    ('web   1/1   Running   0   12s', 'web   1/1   Running   0   2m3s'),
    ('real 0m0.003s', 'real 0m1.250s'),
    # dates and times
    ('Created: 2026-11-26T15:42:01.123456789Z', 'Created: 2027-01-02T03:04:05.6Z'),
    ('Wed, 26 Nov 2026 15:42:01 GMT', 'Thu, 27 Nov 2026 09:00:00 GMT'),
    ('started at 15:42:01', 'started at 09:00:00'),
    # addresses that depend on what else runs on the engine or the cluster
    ('IP: 172.17.0.2', 'IP: 172.17.0.5'),
    # generated Kubernetes names
    ('web-7d4b9c8f6-x2x9z   1/1', 'web-5c8d7b6f4d-qwrtz   1/1'),
    ('uid: 3f1c2a9e-8d4b-4c1a-9e2f-0a1b2c3d4e5f', 'uid: 00000000-1111-2222-3333-444444444444'),
    # lease holders: a host name and a UUID joined by '_'
    ('kind-control-plane_8cb2e52b-c978-4fdc-a37d-452ca8144058   13m',
     'kind-control-plane_4cf3d8ef-9fa0-4199-8d09-638aea73fceb   4m19s'),
    # and a UUID followed by '_' (a pod sandbox's name in crictl, k8s_<pod>_<namespace>_<uid>_0)
    ('k8s_web_default_3f1c2a9e-8d4b-4c1a-9e2f-0a1b2c3d4e5f_0', 'k8s_web_default_00000000-1111-2222-3333-444444444444_0'),
    # column alignment follows the widest value
    ('NAME   STATUS\nweb    Up 3 seconds', 'NAME     STATUS\nweb      Up 12 minutes'),
])
def test_what_varies_between_runs_matches(shown, real):
    assert transcript.matches(shown, real)


@pytest.mark.parametrize('shown, real', [
    ('nginx version: nginx/1.22.1', 'nginx version: nginx/1.24.0'),
    ('Running', 'CrashLoopBackOff'),
    ('debian 12', 'debian 11'),
    ('', 'unexpected output'),
    ('hello', ''),
])
def test_what_matters_still_differs(shown, real):
    assert not transcript.matches(shown, real)


def test_ellipsis_matches_anything():
    assert transcript.matches('Step 1/3 ...\nSuccessfully built ...', 'Step 1/3 : FROM debian:12\n'
                                                                      ' ---> x\nSuccessfully built abc')


@pytest.mark.parametrize('shown, real', [
    # a CPU quantity in millicores is not an age
    ('cpu: 100m', 'cpu: 250m'),
    ('--requests=cpu=100m', '--requests=cpu=250m'),
    # a 12-digit decimal number is a number, not an ID
    ('Total: 123456789012 requests', 'Total: 123456789099 requests'),
    # a line break is not a space
    ('one\ntwo', 'one two'),
    # a UUID with one hex digit too many is not a UUID
    ('id 3f1c2a9e-8d4b-4c1a-9e2f-0a1b2c3d4e5f0', 'id 00000000-1111-2222-3333-4444444444440'),
    # loopback and the wildcard address are compared as written
    ('0.0.0.0:8080->80/tcp', '127.0.0.1:8080->80/tcp'),
])
def test_narrow_rules_leave_these_as_written(shown, real):
    assert not transcript.matches(shown, real)


def test_the_commands_of_a_transcript_as_a_reader_copies_them():
    text = '$ docker run --rm \\\n    debian:12 true\noutput \\\nnot a command\n$ echo a\na\n'
    assert transcript.command_lines(text) == ['docker run --rm \\', '    debian:12 true', '', '', 'echo a', '', '']


DIGEST_A, DIGEST_B, DIGEST_C = (f'sha256:{c * 64}' for c in 'abc')


def test_one_shown_value_stands_for_one_real_value_across_a_page():
    page = transcript.Bindings()
    assert transcript.compare(f'pushed {DIGEST_A}', f'pushed {DIGEST_C}', page) is None
    # The page pulls what it pushed: the shown digest is the same, so must the real one be.
    assert transcript.compare(f'pulled {DIGEST_A}', f'pulled {DIGEST_C}', page) is None
    problems = transcript.compare(f'pulled {DIGEST_A}', f'pulled {DIGEST_B}', page)
    assert problems == [f'{DIGEST_A} stood for {DIGEST_C} earlier on the page, and here for {DIGEST_B}']


def test_two_shown_values_must_be_two_real_values():
    """The page that pushed one digest and pulled back another fails when the run shows they are one."""
    page = transcript.Bindings()
    assert transcript.compare(f'pushed {DIGEST_A}', f'pushed {DIGEST_C}', page) is None
    problems = transcript.compare(f'pulled {DIGEST_B}', f'pulled {DIGEST_C}', page)
    assert problems == [f'{DIGEST_B} and {DIGEST_A} are shown as two values, but the run printed {DIGEST_C} for both']


def test_the_short_and_long_forms_of_an_id_agree():
    page = transcript.Bindings()
    assert transcript.compare(f'image {DIGEST_A}', f'image {DIGEST_C}', page) is None
    assert transcript.compare('IMAGE ID aaaaaaaaaaaa', 'IMAGE ID cccccccccccc', page) is None
    assert transcript.compare('IMAGE ID aaaaaaaaaaaa', 'IMAGE ID bbbbbbbbbbbb', page)


def test_within_one_output_the_same_value_repeats():
    shown = 'image aaaaaaaaaaaa\nimage aaaaaaaaaaaa ready'
    assert transcript.matches(shown, 'image 0123456789ab\nimage 0123456789ab ready')
    assert not transcript.matches(shown, 'image 0123456789ab\nimage 0123456789ac ready')


def test_a_host_fact_captured_elsewhere_reads_as_this_machines():
    host = {'kernel-release': ('6.18.44-fc-v595', '6.18.44-fc-v857')}
    assert transcript.compare('Linux 6.18.44-fc-v595', 'Linux 6.18.44-fc-v857', host=host) is None
    assert transcript.compare('Linux 6.18.44-fc-v595', 'Linux 6.1.0-27-amd64', host=host) == []


def test_refresh_takes_this_runs_values_and_keeps_the_authors_ellipsis():
    shown = 'NAME   STATUS\nweb    Up 3 seconds\n...\nID abcdef123456'
    real = 'NAME     STATUS\nweb      Up 12 minutes\nprogress 1\nprogress 2\nID 0123456789ab'
    assert transcript.refresh(shown, real) == 'NAME     STATUS\nweb      Up 12 minutes\n...\nID 0123456789ab'


def test_refresh_takes_the_whole_real_output_where_the_shown_one_no_longer_fits():
    assert transcript.refresh('nginx/1.22.1\n...', 'nginx/1.24.0\nstarted') == 'nginx/1.24.0\nstarted'
