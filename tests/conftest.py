"""Fixtures shared across the test tree: a loopback HTTP server (127.0.0.1 only) serving weights files and
counting requests, tiny depth models, and folders that cannot be written (read-only, full)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
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


def _mount_tmpfs(folder, options: str) -> bool:
    """Mount a tmpfs with ``options`` on ``folder``; False where that is not allowed (not root, no mount)."""
    if os.geteuid() != 0 or shutil.which('mount') is None:
        return False
    result = subprocess.run(['mount', '-t', 'tmpfs', '-o', options, 'tmpfs', str(folder)], capture_output=True)
    return result.returncode == 0


def _unmount(folder) -> None:
    subprocess.run(['umount', str(folder)], capture_output=True, check=True)


@pytest.fixture
def read_only_dir(tmp_path):
    """A folder no one can write in: mode 555 for a normal user, a read-only tmpfs for root (root ignores modes)."""
    folder = tmp_path / 'read_only'
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
    elif _mount_tmpfs(folder, 'ro,size=64k'):
        yield folder
        _unmount(folder)
    else:
        pytest.skip('running as root without permission to mount a read-only tmpfs')


@pytest.fixture
def small_disk(tmp_path):
    """A 64 KiB tmpfs (root only), to fill up for "No space left on device"."""
    folder = tmp_path / 'small_disk'
    folder.mkdir()
    if not _mount_tmpfs(folder, 'size=64k'):
        pytest.skip('no permission to mount a small tmpfs')
    yield folder
    _unmount(folder)
