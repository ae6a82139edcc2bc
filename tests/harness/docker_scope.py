"""What a page creates on the Docker engine, recorded as it happens, and removing it afterwards.

The engine is shared (the lab's registry and images, a kind cluster, other runs), so a before/after
listing cannot tell what a page made. Instead the page's commands reach the engine through a small
proxy on a unix socket (their DOCKER_HOST) that records what each API call creates. The proxy adds
`Connection: close` so that each connection carries one request and its response; upgraded
connections (attach, exec, BuildKit sessions) pass through untouched.

One thing stays out of sight: a BuildKit build (`docker build` runs buildx) talks gRPC inside an
upgraded connection and names its image there. What the build printed names it too ("naming to
NAME", "writing image ID", or the bare ID with -q): the runner hands each command's output to
add_build_output once a BuildKit session went through the proxy.
"""
from __future__ import annotations

import functools
import http.client
import json
import logging
import os
import re
import shutil
import socket
import socketserver
import subprocess
import tempfile
import threading
import time
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

log = logging.getLogger('harness.docker')

LEAK_KINDS = ('containers', 'networks', 'volumes')
_API_VERSION = re.compile(r'^/v[\d.]+(?=/)')
_HEAD_END = b'\r\n\r\n'
# BuildKit's plain progress ("#8 naming to docker.io/library/web:1.0 done", "#8 writing image
# sha256:... done") and the ID alone on a line that `docker build -q` prints.
_BUILDKIT_IMAGE = re.compile(r'naming to (\S+?)(?: done)?$|writing image (sha256:[0-9a-f]{64})|^(sha256:[0-9a-f]{64})$',
                             re.MULTILINE)


def engine_socket(env: dict[str, str]) -> str:
    host = env.get('DOCKER_HOST', 'unix:///var/run/docker.sock')
    if not host.startswith('unix://'):
        raise ValueError(f'DOCKER_HOST={host}: the runner records through a unix socket only')
    return host.removeprefix('unix://')


@dataclass
class Created:
    containers: set[str] = field(default_factory=set)   # IDs
    networks: set[str] = field(default_factory=set)     # IDs
    volumes: set[str] = field(default_factory=set)      # names
    images: set[str] = field(default_factory=set)       # references (name:tag) or IDs


class Recorder:
    """The objects created through one proxy."""

    def __init__(self, engine: str, on_add=None):
        self.engine = engine
        self.created = Created()
        self._on_add = on_add   # called with (kind, value) for each object, e.g. to journal it
        self._busy = 0
        self._idle = threading.Condition()
        self.buildkit = False   # a BuildKit session went through: builds are named in their output

    def add(self, kind: str, value: str) -> None:
        with self._idle:
            getattr(self.created, kind).add(value)
        if self._on_add:
            self._on_add(kind, value)

    def merge(self, created: Created) -> None:
        for kind in ('containers', 'networks', 'volumes', 'images'):
            for value in getattr(created, kind):
                self.add(kind, value)

    def wait_idle(self, timeout: float = 60) -> None:
        """Wait for responses still being recorded (the client may already have moved on)."""
        with self._idle:
            self._idle.wait_for(lambda: self._busy == 0, timeout)

    def expect(self, method: str, target: str):
        """What to record from the response to this request, or None. Called before forwarding it."""
        if method != 'POST':
            return None
        url = urlsplit(target)
        path, query = _API_VERSION.sub('', url.path), parse_qs(url.query)
        if path in ('/grpc', '/session'):
            self.buildkit = True
            return None
        if path == '/containers/create':
            handler = functools.partial(self._container, started=time.time())
        elif path == '/networks/create':
            handler = functools.partial(self._from_json, kind='networks', key='Id')
        elif path == '/volumes/create':
            handler = functools.partial(self._from_json, kind='volumes', key='Name')
        elif path == '/build':
            handler = functools.partial(self._built, tags=query.get('t', []))
        elif path == '/images/create':
            reference = _reference(query.get('fromImage') or query.get('repo'), query.get('tag'))
            # Pulling an image that is already here changes nothing: it is not the page's.
            if reference is None or self._exists(f'/images/{quote(reference, safe="/:@")}/json'):
                return None
            handler = functools.partial(self._image, reference=reference)
        elif (path.startswith('/images/') and path.endswith('/tag')) or path == '/commit':
            reference = _reference(query.get('repo'), query.get('tag'))
            handler = functools.partial(self._image, reference=reference)
        elif path == '/images/load':
            handler = self._loaded
        else:
            return None
        with self._idle:
            self._busy += 1
        return handler

    def record(self, handler, response: bytes) -> None:
        try:
            handler(*_status_and_body(response))
        except Exception:  # a response we cannot read must not break the reader's command
            log.exception('could not record the response of a Docker API call')
        finally:
            with self._idle:
                self._busy -= 1
                self._idle.notify_all()

    def _from_json(self, status: int, body: bytes, kind: str, key: str) -> None:
        if status < 300:
            self.add(kind, json.loads(body)[key])

    def _container(self, status: int, body: bytes, started: float) -> None:
        if status >= 300:
            return
        container = json.loads(body)['Id']
        self.add('containers', container)
        # Named and anonymous volumes a container creates come with it, not through /volumes/create.
        for mount in self._get(f'/containers/{container}/json').get('Mounts', []):
            if mount.get('Type') == 'volume':
                volume = self._get(f'/volumes/{quote(mount["Name"])}')
                if datetime.fromisoformat(volume['CreatedAt']).timestamp() >= started - 1:
                    self.add('volumes', mount['Name'])

    def _built(self, status: int, body: bytes, tags: list[str]) -> None:
        if status >= 300:
            return
        for tag in tags:
            self.add('images', tag)
        for message in _json_messages(body):
            aux = message.get('aux')
            # The image ID: in "aux" normally, as the only "stream" line with `docker build -q`.
            image = aux.get('ID') if isinstance(aux, dict) else message.get('stream', '').strip()
            if image.startswith('sha256:'):
                self.add('images', image)

    def _image(self, status: int, body: bytes, reference: str | None) -> None:
        if status >= 300:
            return
        if reference:
            self.add('images', reference)
        elif body.strip():
            self.add('images', json.loads(body)['Id'])

    def _loaded(self, status: int, body: bytes) -> None:
        for message in _json_messages(body):
            loaded = re.match(r'Loaded image(?: ID)?: (\S+)', message.get('stream', ''))
            if status < 300 and loaded:
                self.add('images', loaded.group(1))

    def add_build_output(self, output: str) -> None:
        """Record the images a BuildKit build printed it made (not before a BuildKit session)."""
        if not self.buildkit:
            return
        for match in _BUILDKIT_IMAGE.finditer(output):
            self.add('images', next(group for group in match.groups() if group))

    def _exists(self, path: str) -> bool:
        return self._request(path)[0] == 200

    def _get(self, path: str) -> dict:
        status, body = self._request(path)
        return json.loads(body) if status == 200 else {}

    def _request(self, path: str) -> tuple[int, bytes]:
        connection = _UnixHTTPConnection(self.engine)
        try:
            connection.request('GET', path)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()


class EngineProxy:
    """A unix socket that forwards to the engine and records what goes through it."""

    def __init__(self, recorder: Recorder, owner: int | None = None):
        self.recorder = recorder
        self.owner = owner   # uid allowed to connect, besides root
        # Under /tmp rather than the page's directory: unix socket paths are limited to 107 bytes.
        self._dir = Path(tempfile.mkdtemp(prefix='docker-proxy-'))
        self.path = self._dir / 'docker.sock'
        self._server: socketserver.ThreadingUnixStreamServer | None = None

    @property
    def docker_host(self) -> str:
        return f'unix://{self.path}'

    def __enter__(self) -> 'EngineProxy':
        self._server = socketserver.ThreadingUnixStreamServer(str(self.path), _Forward)
        if self.owner is not None:
            self._dir.chmod(0o711)
            os.chown(self.path, self.owner, -1)
        self._server.daemon_threads = True
        self._server.recorder = self.recorder
        threading.Thread(target=self._server.serve_forever, name=f'docker proxy {self.path}', daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.recorder.wait_idle()
        self._server.shutdown()
        self._server.server_close()
        shutil.rmtree(self._dir, ignore_errors=True)


class _Forward(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        client = self.request
        head, rest = _read_head(client)
        if head is None:
            return
        request_line, *headers = head[:-len(_HEAD_END)].split(b'\r\n')
        method, target = request_line.decode('latin-1').split(' ')[:2]
        connection = [h for h in headers if h.lower().startswith(b'connection:')]
        if not any(b'upgrade' in h.lower() for h in connection):
            kept = [h for h in headers if h not in connection]
            head = b'\r\n'.join([request_line, *kept, b'Connection: close']) + _HEAD_END
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as upstream:
            try:
                upstream.connect(self.server.recorder.engine)
            except OSError as error:
                # The CLI prints the message as "Error response from daemon: ...".
                client.sendall(_error_response(f'the Docker engine at {self.server.recorder.engine} '
                                               f'is not answering ({error.strerror})'))
                return
            handler = self.server.recorder.expect(method, target)
            response = bytearray() if handler else None
            try:
                upstream.sendall(head + rest)
                threading.Thread(target=_pump, args=(client, upstream, None), daemon=True).start()
                _pump(upstream, client, response)
            finally:
                if handler:
                    self.server.recorder.record(handler, bytes(response))


def _error_response(message: str) -> bytes:
    body = json.dumps({'message': message}).encode()
    return (b'HTTP/1.1 502 Bad Gateway\r\nContent-Type: application/json\r\n'
            b'Content-Length: %d\r\nConnection: close\r\n\r\n%s' % (len(body), body))


def _read_head(connection: socket.socket) -> tuple[bytes | None, bytes]:
    data = b''
    while _HEAD_END not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return None, b''
        data += chunk
    end = data.index(_HEAD_END) + len(_HEAD_END)
    return data[:end], data[end:]


def _pump(source: socket.socket, destination: socket.socket, copy: bytearray | None) -> None:
    """Copy bytes until the source closes, then pass the half-close on (stdin EOF for attach)."""
    with suppress(OSError):
        while data := source.recv(65536):
            destination.sendall(data)
            if copy is not None:
                copy += data
    with suppress(OSError):
        destination.shutdown(socket.SHUT_WR)


def _status_and_body(response: bytes) -> tuple[int, bytes]:
    head, _, body = response.partition(_HEAD_END)
    status_line, *headers = head.split(b'\r\n')
    if any(h.lower().startswith(b'transfer-encoding:') and b'chunked' in h.lower() for h in headers):
        body = _dechunk(body)
    return int(status_line.split()[1]), body


def _dechunk(body: bytes) -> bytes:
    out = bytearray()
    while body:
        size_line, _, body = body.partition(b'\r\n')
        size = int(size_line.split(b';')[0], 16)
        if size == 0:
            break
        out += body[:size]
        body = body[size + 2:]
    return bytes(out)


def _json_messages(body: bytes):
    for line in body.splitlines():
        with suppress(ValueError):
            message = json.loads(line)
            if isinstance(message, dict):
                yield message


def _reference(names: list[str] | None, tags: list[str] | None) -> str | None:
    if not names or not names[0]:
        return None
    name, tag = names[0], (tags or [''])[0]
    if tag:
        return f'{name}@{tag}' if tag.startswith('sha256:') else f'{name}:{tag}'
    return name if ':' in name.rsplit('/', 1)[-1] or '@' in name else f'{name}:latest'


class _UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str):
        super().__init__('localhost', timeout=60)
        self._path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self._path)


@dataclass
class Cleanup:
    leaked: dict[str, list[str]] = field(default_factory=dict)   # kind -> names still there
    images: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def leak_message(self) -> str:
        return '; '.join(f'{kind}: {", ".join(names)}' for kind, names in self.leaked.items() if names)


def docker(*args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(['docker', *args], env=env, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f'docker {" ".join(args)}: {result.stderr.strip()}')
    return result.stdout


def clean_up(created: Created, env: dict[str, str]) -> Cleanup:
    """Remove what was created and is still there; containers, networks and volumes count as leaks."""
    still = {
        'containers': _existing(created.containers, ['ps', '--all', '--no-trunc', '--format', '{{.ID}}\t{{.Names}}'], env),
        'networks': _existing(created.networks, ['network', 'ls', '--no-trunc', '--format', '{{.ID}}\t{{.Name}}'], env),
        'volumes': _existing(created.volumes, ['volume', 'ls', '--format', '{{.Name}}\t{{.Name}}'], env),
    }
    result = Cleanup(leaked={kind: sorted(still[kind].values()) for kind in LEAK_KINDS})
    for kind, args in (('containers', ['rm', '--force', '--volumes']), ('networks', ['network', 'rm']),
                       ('volumes', ['volume', 'rm', '--force'])):
        if still[kind]:
            _remove(args, sorted(still[kind]), env, result)
    # References first: removing a tag may already remove the image an ID points at.
    references = sorted(image for image in created.images if not image.startswith('sha256:'))
    ids = sorted(image for image in created.images if image.startswith('sha256:'))
    for batch in (references, ids):
        if batch:
            result.images += _remove(['image', 'rm'], batch, env, result, gone_ok='No such image')
    if result.images:
        log.info('removed images: %s', ', '.join(result.images))
    return result


def _existing(wanted: set[str], listing: list[str], env) -> dict[str, str]:
    if not wanted:
        return {}
    pairs = (line.split('\t', 1) for line in docker(*listing, env=env).splitlines() if line)
    return {key: name for key, name in pairs if key in wanted}


def _remove(args: list[str], targets: list[str], env, result: Cleanup, gone_ok: str | None = None) -> list[str]:
    """Run the removal; returns the targets removed, adds the other failures to result.errors."""
    completed = subprocess.run(['docker', *args, *targets], env=env, capture_output=True, text=True, timeout=300)
    failed = []
    for line in completed.stderr.splitlines():
        if gone_ok and gone_ok in line:
            failed.append(line)
            continue
        result.errors.append(line)
        failed.append(line)
    return [target for target in targets if not any(target in line for line in failed)]
