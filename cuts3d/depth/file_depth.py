"""Depth maps precomputed by any estimator (ZoeDepth, Marigold, a sensor) and stored next to the images.

The CutS3D paper predicts depth for all of ImageNet once and reuses it (sec. 4, Table 8); this source reads such
files, so extraction never runs a depth network.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np

from ..registry import DEPTH_SOURCES
from .depth_png import read_depth_png
from .normalize import DepthNormalizer, build_normalizer, resize_depth
from .paths import find_companion, image_rel_path


class DepthFileError(ValueError):
    """A depth file that cannot be read as a depth map; the message starts with its path."""


def read_depth_file(path: str) -> np.ndarray:
    """Read one raw depth map as float64 ``H x W`` with NaN for unknown.

    ``.npy``: a 2-D (or ``H x W x 1``) numeric array, loaded without pickle. ``.png``: a single-channel 8- or
    16-bit image read with ``cv2.IMREAD_UNCHANGED``; 0 means unknown (the KITTI / Middlebury-style convention).
    Raises :class:`DepthFileError` naming the path for a file that is truncated, pickled, or not an array.
    """
    suffix = os.path.splitext(path)[1].lower()
    if suffix == '.npy':
        try:
            raw = np.load(path, allow_pickle=False)
        except (ValueError, OSError, EOFError) as error:
            raise DepthFileError(f'{path}: not a readable .npy depth array ({type(error).__name__}: '
                                 f'{error})') from error
        if not isinstance(raw, np.ndarray):
            raise DepthFileError(f'{path}: holds a {type(raw).__name__}, not one depth array')
        if not np.issubdtype(raw.dtype, np.number) or np.issubdtype(raw.dtype, np.complexfloating):
            raise DepthFileError(f'{path}: depth array must be real-valued; got dtype {raw.dtype}')
        raw = raw.astype(np.float64)
        if raw.ndim == 3 and raw.shape[2] == 1:
            raw = raw[:, :, 0]
    elif suffix == '.png':
        raw = cv2.imread(path, cv2.IMREAD_UNCHANGED)
        if raw is None:
            raise DepthFileError(f'{path}: OpenCV could not read this PNG')
        if raw.ndim != 2:
            raise DepthFileError(f'{path}: a depth PNG must have one channel; got shape {raw.shape}')
        raw = np.where(raw == 0, np.nan, raw.astype(np.float64))
    else:
        raise DepthFileError(f'{path}: unsupported depth file type {suffix!r} (use .npy or .png)')
    if raw.ndim != 2:
        raise DepthFileError(f'{path}: a depth map must be H x W; got shape {raw.shape}')
    return raw


@DEPTH_SOURCES.register_module()
class FileDepth:
    """Depth read from ``root``: ``root/<rel_path without suffix>.npy|.png``, else ``root/<stem>.npy|.png``.

    The stem-keyed file is used only while no other image of the run has the same stem (``meta['unique_stem']``,
    :mod:`cuts3d.depth.paths`); every error about a file names its path.

    Args:
        root: folder holding the depth maps.
        suffixes: file types to try, in order (``.npy`` float arrays, ``.png`` 8/16-bit with 0 = unknown).
        inverse: the files hold disparity / inverse depth (larger = nearer) rather than depth.
        normalizer: :class:`~cuts3d.depth.normalize.DepthNormalizer` fields (percentiles, aspect tolerance).

    A fixed storage scale (KITTI's depth x 256, millimetres) cancels in the percentile normalisation. PNGs written by
    ``tools/predict_depth.py`` (:mod:`cuts3d.depth.depth_png`) carry their scale and are already normalised: they
    are read back exactly, and ``inverse`` and the percentiles do not apply to them. A map whose
    size differs from the image's is resized (NaN-aware bilinear); a missing file raises ``FileNotFoundError``
    listing every path tried.
    """

    def __init__(self, root: str, suffixes: Sequence[str] = ('.npy', '.png'), inverse: bool = False,
                 normalizer: DepthNormalizer | dict | None = None) -> None:
        if not os.path.isdir(root):
            raise FileNotFoundError(f'FileDepth root is not a directory: {root}')
        bad = [s for s in suffixes if s.lower() not in ('.npy', '.png')]
        if bad or not suffixes:
            raise ValueError(f'FileDepth suffixes must be a non-empty subset of (".npy", ".png"); got {suffixes}')
        self.root = root
        self.suffixes = tuple(suffixes)
        self.inverse = inverse
        self.normalizer = build_normalizer(normalizer)

    def __call__(self, image: np.ndarray, meta: dict[str, Any]) -> np.ndarray:
        path = find_companion(self.root, image_rel_path(meta), self.suffixes, 'depth file',
                              unique_stem=meta.get('unique_stem', True),
                              unique_rel_stem=meta.get('unique_rel_stem', True))
        stored = read_depth_png(path) if path.lower().endswith('.png') else None
        raw = read_depth_file(path) if stored is None else None
        try:
            if stored is not None:  # written by tools/predict_depth.py: already in the contract, only resized
                return resize_depth(stored, image.shape[:2], self.normalizer.aspect_tolerance)
            return self.normalizer(raw, image.shape[:2], inverse=self.inverse)
        except ValueError as error:  # DepthShapeError and friends: say which file
            raise type(error)(f'{path}: {error}') from error
