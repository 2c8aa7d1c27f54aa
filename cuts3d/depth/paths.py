"""Find the file that belongs to an image (a stored depth map, the right view of a stereo pair) under another root.

Two layouts are common: a tree that mirrors the image tree (``root/n01/a.npy`` for ``images/n01/a.JPEG``) and a
flat folder keyed by the image stem (``root/a.npy``, what ``tools/extract_pseudo_masks.py --depth DIR`` writes).
Both are tried, mirrored tree first.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any


def image_rel_path(meta: dict[str, Any]) -> str:
    """The image path relative to its root: ``meta['rel_path']``, else the basename of ``meta['img_path']``."""
    rel_path = meta.get('rel_path') or (os.path.basename(meta['img_path']) if meta.get('img_path') else None)
    if not rel_path:
        raise KeyError(f"depth sources need meta['rel_path'] or meta['img_path']; got keys {sorted(meta)}")
    return str(rel_path)


def companion_candidates(root: str, rel_path: str, suffixes: Sequence[str] | None) -> list[str]:
    """Paths to try, in order: ``root/<rel_path without suffix><s>`` then ``root/<stem><s>`` for each suffix.

    ``suffixes=None`` keeps the image's own suffix (``root/<rel_path>``, then ``root/<file name>``).
    """
    rel_stem, own_suffix = os.path.splitext(rel_path)
    stem = os.path.basename(rel_stem)
    suffixes = [own_suffix] if suffixes is None else list(suffixes)
    candidates = [os.path.join(root, rel_stem + s) for s in suffixes]
    candidates += [os.path.join(root, stem + s) for s in suffixes]
    return list(dict.fromkeys(candidates))


def find_companion(root: str, rel_path: str, suffixes: Sequence[str] | None, what: str) -> str:
    """The first existing path of :func:`companion_candidates`; ``FileNotFoundError`` naming every path tried."""
    candidates = companion_candidates(root, rel_path, suffixes)
    for path in candidates:
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(f'no {what} for image {rel_path!r}; tried: {", ".join(candidates)}')
