"""Console transcripts: parsing, and what the normalisation lets vary between runs."""
from __future__ import annotations

import pytest

from tests.harness import transcript


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
