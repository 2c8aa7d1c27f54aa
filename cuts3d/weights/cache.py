"""Where downloaded weights live, and how a URL is redirected to a mirror.

A URL's file is cached as ``$CUTS3D_CACHE/checkpoints/<file name>`` (``CUTS3D_CACHE`` defaults to
``~/.cache/cuts3d``), the layout torch hub uses under its own directory, so an offline machine can be prepared by
copying the files there by hand.

``CUTS3D_WEIGHTS_MIRROR`` redirects every download: ``https://HOST/PATH`` is fetched from ``MIRROR/HOST/PATH``, where
``MIRROR`` is an ``http(s)://`` base URL or a local folder. That layout is what ``wget --force-directories`` writes,
so one mirror serves files from several hosts (dl.fbaipublicfiles.com, github.com, ...). The cache entry keeps the
original file name, and hashes are checked as for the original URL.
"""
from __future__ import annotations

import os
from urllib.parse import urlsplit

CACHE_ENV = 'CUTS3D_CACHE'
MIRROR_ENV = 'CUTS3D_WEIGHTS_MIRROR'
URL_SCHEMES = ('https://', 'http://')


def is_url(spec: str) -> bool:
    """Whether a weights spec is a URL (``https://`` or ``http://``) rather than a local path or hub id."""
    return isinstance(spec, str) and spec.startswith(URL_SCHEMES)


def cache_dir() -> str:
    """``$CUTS3D_CACHE`` or ``~/.cache/cuts3d``."""
    return os.path.expanduser(os.environ.get(CACHE_ENV) or os.path.join('~', '.cache', 'cuts3d'))


def url_file_name(url: str) -> str:
    """The file name at the end of a URL's path (query and fragment ignored)."""
    name = os.path.basename(urlsplit(url).path)
    if not name:
        raise ValueError(f'{url} does not end in a file name')
    return name


def cached_path(url: str) -> str:
    """Where the file of ``url`` is (or will be) cached: ``<cache_dir>/checkpoints/<file name>``."""
    return os.path.join(cache_dir(), 'checkpoints', url_file_name(url))


def mirrored(url: str) -> str:
    """``url`` redirected through ``$CUTS3D_WEIGHTS_MIRROR`` (``MIRROR/HOST/PATH``), or unchanged without one.

    The result is a URL for an ``http(s)://`` mirror and a local path for a folder mirror.
    """
    mirror = os.environ.get(MIRROR_ENV)
    if not mirror:
        return url
    parts = urlsplit(url)
    relative = f'{parts.netloc}{parts.path}'
    if is_url(mirror):
        return f'{mirror.rstrip("/")}/{relative}'
    return os.path.join(os.path.expanduser(mirror), *relative.split('/'))
