"""The built site served as GitHub Pages serves it: under the project's path (/site/ for
https://docker-k8s-lab.github.io/site/), gzip-compressed text when the browser accepts it, the
site's own 404.html for a missing path, and cache headers of ten minutes."""
from __future__ import annotations

import functools
import gzip
import os
import threading
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# What GitHub Pages compresses (text types); images and fonts go as they are.
COMPRESSED = ('text/', 'application/javascript', 'application/json', 'application/xml', 'image/svg+xml')


class PagesHandler(SimpleHTTPRequestHandler):
    prefix = '/'
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map,
                      '.js': 'application/javascript', '.mjs': 'application/javascript',
                      '.json': 'application/json', '.xml': 'application/xml'}

    def log_message(self, format, *args):
        pass

    def end_headers(self):
        self.send_header('Cache-Control', 'max-age=600')
        super().end_headers()

    def translate_path(self, path):
        # Outside the prefix nothing exists (as on github.io outside the project's folder).
        if not path.startswith(self.prefix) and path + '/' != self.prefix:
            return os.path.join(self.directory, '\0outside')
        return super().translate_path('/' + path[len(self.prefix):])

    def send_head(self):
        path = Path(self.translate_path(self.path.split('?', 1)[0].split('#', 1)[0]))
        if path.is_dir() and not self.path.split('?', 1)[0].endswith('/'):
            return super().send_head()  # the redirect to the folder's URL with its slash
        if path.is_dir():
            path = path / 'index.html'
        status = HTTPStatus.OK
        if not path.is_file():
            status, path = HTTPStatus.NOT_FOUND, Path(self.directory) / '404.html'
            if not path.is_file():
                self.send_error(HTTPStatus.NOT_FOUND)
                return None
        ctype = self.guess_type(str(path))
        body = path.read_bytes()
        if ctype.startswith(COMPRESSED) and 'gzip' in self.headers.get('Accept-Encoding', ''):
            body = _gzip(str(path), path.stat().st_mtime_ns)
            encoded = True
        else:
            encoded = False
        self.send_response(status)
        self.send_header('Content-Type', ctype + ('; charset=utf-8' if ctype.startswith('text/') else ''))
        if encoded:
            self.send_header('Content-Encoding', 'gzip')
        self.send_header('Vary', 'Accept-Encoding')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        import io
        return io.BytesIO(body)


@functools.lru_cache(maxsize=None)
def _gzip(path: str, mtime_ns: int) -> bytes:
    return gzip.compress(Path(path).read_bytes(), compresslevel=6, mtime=0)


def serve(directory: str | Path, prefix: str = '/', port: int = 0) -> tuple[ThreadingHTTPServer, str]:
    """Serve directory at http://127.0.0.1:PORT/PREFIX/ from a thread; the server and that URL."""
    prefix = '/' + prefix.strip('/') + '/' if prefix.strip('/') else '/'
    handler = type('Handler', (PagesHandler,), {'prefix': prefix})
    server = ThreadingHTTPServer(('127.0.0.1', port), functools.partial(handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f'http://127.0.0.1:{server.server_port}{prefix}'
