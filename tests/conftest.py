"""Fixtures shared by test folders: a loopback HTTP server (127.0.0.1 only) serving weights files, counting requests."""
from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class WeightsServer:
    """Files by URL path; ``truncate`` paths announce their full length but send only half of it."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.truncate: set[str] = set()
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                server.requests.append(self.path)
                body = server.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body[:len(body) // 2] if self.path in server.truncate else body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.base = f'http://127.0.0.1:{self.httpd.server_address[1]}'

    def add(self, path: str, body: bytes) -> str:
        """Serve ``body`` at ``/path``; returns its URL."""
        self.files['/' + path.lstrip('/')] = body
        return f'{self.base}/{path.lstrip("/")}'


@pytest.fixture
def weights_server() -> Iterator[WeightsServer]:
    server = WeightsServer()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on: connections to it are refused at once."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.fixture(scope='session')
def tiny_depth_models(tmp_path_factory) -> dict[str, str]:
    """``{depth source type: local model directory}`` of tiny random models (tests/tiny_depth_models.py)."""
    from tiny_depth_models import save_all

    return save_all(str(tmp_path_factory.mktemp('tiny_depth_models')))
