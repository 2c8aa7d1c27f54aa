"""Download a weights file once into the cache, verified, or refuse it.

torch hub's ``download_url_to_file`` checks a hash prefix but not that the file arrived whole, and moves it into place
before anyone has tried to read it. :func:`fetch` adds both checks: the file is streamed to a temporary file beside
its cache entry (with a progress bar), its length is compared with ``Content-Length``, its sha256 with the hash
prefix in the file name (torch hub's convention, ``name-<hex>.ext``) or with a configured ``#sha256=<hex>`` URL
fragment (pip's convention), and it is then loaded by the caller's ``load``; only when all of that succeeds is it
renamed into the cache. A truncated, corrupt or mismatching download is deleted and refused with one line.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from http.client import HTTPException
from typing import TypeVar

from ..version import __version__
from .cache import MIRROR_ENV, cached_path, is_url, mirrored
from .errors import CheckpointError

T = TypeVar('T')

CHUNK_BYTES = 1 << 20
TIMEOUT_S = 60.0
_SHA256_FRAGMENT = re.compile(r'^sha256=([0-9a-fA-F]{8,64})$')


def split_sha256(spec: str) -> tuple[str, str | None]:
    """``(url, sha256)`` of ``URL#sha256=<hex>``; ``(url, None)`` without a fragment. The hex may be a prefix (>= 8)."""
    url, _, fragment = spec.partition('#')
    if not fragment:
        return url, None
    match = _SHA256_FRAGMENT.match(fragment)
    if match is None:
        raise CheckpointError(f'{spec}: the URL fragment must be #sha256=<8 to 64 hex digits>; got #{fragment}')
    return url, match.group(1).lower()


def expected_sha256(url: str, sha256: str | None) -> tuple[str, str] | None:
    """``(hex prefix, where it comes from)`` to check the file of ``url`` against, or None when nothing is known.

    A configured sha256 wins; otherwise the hash prefix torch hub reads from the file name (``HASH_REGEX``:
    ``dpt_hybrid-midas-501f0c75.pt`` -> ``501f0c75``).
    """
    if sha256:
        return sha256, 'the configured #sha256'
    from torch.hub import HASH_REGEX
    match = HASH_REGEX.search(os.path.basename(url))
    if match and match.group(1):
        return match.group(1), "the hash prefix in the file name (torch hub's convention)"
    return None


def file_sha256(path: str) -> str:
    """The sha256 hex digest of a file."""
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for chunk in iter(lambda: handle.read(CHUNK_BYTES), b''):
            digest.update(chunk)
    return digest.hexdigest()


def _check_hash(actual: str, expected: tuple[str, str] | None, what: str) -> None:
    if expected is not None and not actual.startswith(expected[0]):
        raise CheckpointError(f'{what}: sha256 {actual[:16]}... does not match {expected[0]} from {expected[1]}')


def _check_file_hash(path: str, expected: tuple[str, str] | None, what: str) -> None:
    """Hash ``path`` and compare, only when a hash is expected (hashing a 1 GB file takes seconds)."""
    if expected is not None:
        _check_hash(file_sha256(path), expected, what)


def _stream(source: str, url: str, dest_dir: str) -> tuple[str, str]:
    """Download ``source`` into a temporary file in ``dest_dir``; ``(temporary path, sha256)``.

    Raises :class:`CheckpointError` when the server cannot be reached or answers with an error, and when fewer
    bytes arrive than ``Content-Length`` announced; the temporary file is removed then.
    """
    from tqdm import tqdm

    request = urllib.request.Request(source, headers={'User-Agent': f'cuts3d/{__version__}'})
    fd, tmp = tempfile.mkstemp(prefix=f'.{os.path.basename(url)}.', suffix='.partial', dir=dest_dir)
    digest = hashlib.sha256()
    received = 0
    try:
        with os.fdopen(fd, 'wb') as out, urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            length = response.headers.get('Content-Length')
            total = int(length) if length and length.isdigit() else None
            with tqdm(total=total, unit='B', unit_scale=True, unit_divisor=1024,
                      desc=f'download {os.path.basename(url)}') as bar:
                for chunk in iter(lambda: response.read(CHUNK_BYTES), b''):
                    out.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
        if total is not None and received != total:
            raise CheckpointError(f'download of {url} refused: truncated, {received} of {total} bytes arrived; '
                                  'nothing was cached, try again')
    except (urllib.error.URLError, HTTPException, OSError) as error:
        os.remove(tmp)
        via = f' (through {MIRROR_ENV}: {source})' if source != url else ''
        reason = getattr(error, 'reason', None) or error
        raise CheckpointError(f'cannot download {url}{via}: {reason}. Offline: fetch the file on a connected machine '
                              f'and place it at {cached_path(url)}, or pass a local path') from error
    except BaseException:
        os.remove(tmp)
        raise
    return tmp, digest.hexdigest()


def fetch(spec: str, load: Callable[[str, str], T]) -> T:
    """Load the weights file at URL ``spec`` (optionally ``URL#sha256=<hex>``) through the cache.

    ``load(path, name)`` reads the file at ``path`` (``name`` is what its messages should call it) and raises
    :class:`CheckpointError` when the file is unusable. A cached file is checked against the expected hash and
    loaded; otherwise the file is downloaded (through ``$CUTS3D_WEIGHTS_MIRROR`` if set), checked, loaded, and
    only then moved into the cache. A folder mirror is read in place.
    """
    url, sha256 = split_sha256(spec)
    if not is_url(url):
        raise ValueError(f'not an http(s) URL: {spec}')
    expected = expected_sha256(url, sha256)
    dest = cached_path(url)
    if os.path.isfile(dest):
        _check_file_hash(dest, expected, f'cached {dest} (from {url}, delete it to download it again)')
        return load(dest, dest)
    source = mirrored(url)
    if not is_url(source):
        if not os.path.isfile(source):
            raise CheckpointError(f'{url}: not in the mirror folder {os.environ[MIRROR_ENV]} (looked for {source}) '
                                  f'nor in the cache ({dest})')
        _check_file_hash(source, expected, f'{source} (mirror of {url})')
        return load(source, source)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    tmp, actual = _stream(source, url, os.path.dirname(dest))
    try:
        _check_hash(actual, expected, f'download of {url} refused, nothing was cached')
        try:
            result = load(tmp, url)
        except CheckpointError as error:
            raise CheckpointError(f'download of {url} refused, nothing was cached: {error}') from error
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return result
