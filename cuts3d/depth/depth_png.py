"""Depth maps stored once and read back exactly: 16-bit PNGs that carry their own scale.

``tools/predict_depth.py`` writes each depth map already in the depth-source contract ([0, 1], larger = farther, NaN
unknown) as a single-channel 16-bit PNG: ``v = 1 + round(d * 65534)``, ``v = 0`` for unknown. A ``tEXt`` chunk
``cuts3d.depth`` holds the json ``{"scale": 1/65534, "offset": -1/65534, "unknown": 0, ...}``, so
``d = offset + scale * v``: the map round-trips to within ``0.5 / 65534`` (7.6e-6). :class:`~cuts3d.depth.FileDepth`
reads such a file as it is (no second percentile normalisation); PNGs without the chunk are raw depth as before.
"""
from __future__ import annotations

import json
import os

import numpy as np
from PIL import Image, PngImagePlugin

CHUNK = 'cuts3d.depth'
LEVELS = 65534


def encode_depth(depth: np.ndarray) -> np.ndarray:
    """A contract depth map (float, [0, 1], NaN unknown) as uint16 ``1 + round(d * 65534)``, 0 where unknown."""
    depth = np.asarray(depth, dtype=np.float64)
    if depth.ndim != 2:
        raise ValueError(f'a depth map must be H x W; got shape {depth.shape}')
    known = np.isfinite(depth)
    if known.any() and (depth[known].min() < 0 or depth[known].max() > 1):
        raise ValueError(f'depth must be in [0, 1]; got [{depth[known].min():.4g}, {depth[known].max():.4g}]')
    return np.where(known, 1 + np.rint(np.where(known, depth, 0) * LEVELS), 0).astype(np.uint16)


def write_depth_png(path: str, depth: np.ndarray, source: str = '') -> None:
    """Write a contract depth map as a 16-bit PNG with its scale (atomically: a temporary file renamed into place).

    ``source`` (e.g. the depth model's name) is recorded in the chunk for provenance.
    """
    info = PngImagePlugin.PngInfo()
    info.add_text(CHUNK, json.dumps({'scale': 1 / LEVELS, 'offset': -1 / LEVELS, 'unknown': 0,
                                     'meaning': 'depth in [0, 1], larger = farther', 'source': source}))
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f'{path}.tmp{os.getpid()}'
    try:
        Image.fromarray(encode_depth(depth)).save(tmp, format='PNG', pnginfo=info)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def read_depth_png(path: str) -> np.ndarray | None:
    """The contract depth map (float32, NaN unknown) of a PNG written by :func:`write_depth_png`, or None when the
    PNG carries no ``cuts3d.depth`` chunk (a raw depth PNG)."""
    with Image.open(path) as image:
        meta = getattr(image, 'text', {}).get(CHUNK)
        if meta is None:
            return None
        values = np.asarray(image)
    try:
        meta = json.loads(meta)
        scale, offset, unknown = float(meta['scale']), float(meta['offset']), int(meta['unknown'])
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f'{path}: malformed {CHUNK} chunk: {error}') from error
    if values.ndim != 2:
        raise ValueError(f'{path}: a depth PNG must have one channel; got shape {values.shape}')
    depth = offset + scale * values.astype(np.float64)
    return np.where(values == unknown, np.nan, depth).astype(np.float32)
