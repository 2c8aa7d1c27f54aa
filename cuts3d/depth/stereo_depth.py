"""Depth from a rectified stereo pair with OpenCV's semi-global block matching (SGBM).

For data sets that come as stereo pairs (Middlebury, KITTI, Cityscapes) this gives real, geometry-based depth
without any learned weights: the given image is the left view; the right view is found under ``right_root``.
"""
from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np

from ..registry import DEPTH_SOURCES
from .normalize import DepthNormalizer, build_normalizer
from .paths import find_companion, image_rel_path
from .stereo_calibration import find_calibration, scaled_calibration

_SGBM_MODES = {
    'sgbm': cv2.STEREO_SGBM_MODE_SGBM,
    'hh': cv2.STEREO_SGBM_MODE_HH,
    'sgbm_3way': cv2.STEREO_SGBM_MODE_SGBM_3WAY,
    'hh4': cv2.STEREO_SGBM_MODE_HH4,
}


def read_rgb(path: str) -> np.ndarray:
    """An image file as RGB uint8 ``H x W x 3``."""
    bgr = cv2.imread(path, cv2.IMREAD_COLOR)
    if bgr is None:
        raise ValueError(f'{path}: OpenCV could not read this image')
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


@DEPTH_SOURCES.register_module()
class StereoDepth:
    """Depth of the left image from SGBM disparity against the right image found under ``right_root``.

    Depth is ``f * B / (disparity + doffs)`` when ``calibration = dict(focal_length=f, baseline=B, doffs=d)`` is
    given (Middlebury convention; ``doffs`` is the x-difference of the principal points), or with
    ``calibration='per_image'`` each pair's own numbers from a json beside it (``<right view>.json`` or a
    ``calibration.json`` in its folder or above: :mod:`cuts3d.depth.stereo_calibration`), otherwise
    ``1 / disparity``; either is then normalised to [0, 1] (:class:`~cuts3d.depth.normalize.DepthNormalizer`).
    ``f * B`` cancels in that normalisation, ``doffs`` does not. Pixels without a valid disparity (occluded, the
    left band no match can reach, failed uniqueness or left-right check) are NaN.

    Example calibration, the Middlebury 2014 "Motorcycle" pair of ``skimage.data.stereo_motorcycle()`` at its
    shipped size (741 x 500): ``dict(focal_length=994.978, baseline=193.001, doffs=31.086)`` (pixels, mm, pixels).

    Args:
        right_root: folder of right views, looked up like :class:`FileDepth` files (mirrored tree, then stem).
        suffixes: file suffixes of right views to try; None keeps the left image's own suffix.
        calibration: ``focal_length``, ``baseline`` and ``doffs`` in pixels of the full-size image; ``'per_image'``
            to read each pair's from json files beside the pairs; or None (``1 / disparity``).
        scale: resize factor applied to both views before matching (< 1 for speed); disparities are converted
            back to full-size pixels.
        min_disparity: SGBM ``minDisparity``.
        num_disparities: SGBM ``numDisparities`` (a positive multiple of 16); None scales it to the matched
            width: ``16 * ceil(max_disparity_ratio * width / 16)``.
        max_disparity_ratio: largest expected disparity as a fraction of the width, for ``num_disparities=None``.
            0.125 covers Middlebury 2014 (largest disparity about 8 % of the width); use about 0.2 for KITTI.
        block_size: SGBM ``blockSize`` (odd).
        p1, p2: SGBM smoothness penalties; None gives OpenCV's recommended ``8 * cn * block_size ** 2`` and
            ``32 * cn * block_size ** 2`` (cn = 3 colour channels).
        disp12_max_diff, uniqueness_ratio, speckle_window_size, speckle_range, pre_filter_cap: the SGBM fields of
            the same names.
        mode: ``'sgbm'`` (5 directions), ``'hh'`` (8 directions, full DP), ``'sgbm_3way'`` or ``'hh4'``.
        normalizer: :class:`~cuts3d.depth.normalize.DepthNormalizer` fields.
    """

    def __init__(self, right_root: str, suffixes: Sequence[str] | None = None,
                 calibration: dict[str, float] | str | None = None, scale: float = 1.0, min_disparity: int = 0,
                 num_disparities: int | None = None, max_disparity_ratio: float = 0.125, block_size: int = 5,
                 p1: int | None = None, p2: int | None = None, disp12_max_diff: int = 1, uniqueness_ratio: int = 10,
                 speckle_window_size: int = 100, speckle_range: int = 2, pre_filter_cap: int = 63,
                 mode: str = 'sgbm', normalizer: DepthNormalizer | dict | None = None) -> None:
        if not os.path.isdir(right_root):
            raise FileNotFoundError(f'StereoDepth right_root is not a directory: {right_root}')
        if isinstance(calibration, str) and calibration != 'per_image':
            raise ValueError(f"calibration must be a dict, 'per_image' or None; got {calibration!r}")
        if isinstance(calibration, dict):
            missing = {'focal_length', 'baseline'} - set(calibration)
            unknown = set(calibration) - {'focal_length', 'baseline', 'doffs'}
            if missing or unknown:
                raise ValueError(f'calibration needs focal_length and baseline (optionally doffs); '
                                 f'missing {sorted(missing)}, unknown {sorted(unknown)}')
            if calibration['focal_length'] <= 0 or calibration['baseline'] <= 0:
                raise ValueError(f'focal_length and baseline must be positive; got {calibration}')
        if num_disparities is not None and (num_disparities <= 0 or num_disparities % 16):
            raise ValueError(f'num_disparities must be a positive multiple of 16; got {num_disparities}')
        if block_size < 1 or block_size % 2 == 0:
            raise ValueError(f'block_size must be odd and positive; got {block_size}')
        if mode not in _SGBM_MODES:
            raise ValueError(f'unknown SGBM mode {mode!r}; choose from {sorted(_SGBM_MODES)}')
        if not 0 < scale <= 1 or not 0 < max_disparity_ratio <= 1:
            raise ValueError(f'need 0 < scale <= 1 and 0 < max_disparity_ratio <= 1; got {scale}, '
                             f'{max_disparity_ratio}')
        self.right_root = right_root
        self.suffixes = None if suffixes is None else tuple(suffixes)
        self.calibration = {'doffs': 0.0, **calibration} if isinstance(calibration, dict) else calibration
        self.scale = scale
        self.min_disparity = min_disparity
        self.num_disparities = num_disparities
        self.max_disparity_ratio = max_disparity_ratio
        self.block_size = block_size
        self.p1 = 8 * 3 * block_size ** 2 if p1 is None else p1
        self.p2 = 32 * 3 * block_size ** 2 if p2 is None else p2
        self.disp12_max_diff = disp12_max_diff
        self.uniqueness_ratio = uniqueness_ratio
        self.speckle_window_size = speckle_window_size
        self.speckle_range = speckle_range
        self.pre_filter_cap = pre_filter_cap
        self.mode = mode
        self.normalizer = build_normalizer(normalizer)

    def matcher(self, width: int) -> cv2.StereoSGBM:
        """The OpenCV matcher for views ``width`` pixels wide (``numDisparities`` may scale with it)."""
        num = self.num_disparities or 16 * max(1, math.ceil(self.max_disparity_ratio * width / 16))
        return cv2.StereoSGBM_create(
            minDisparity=self.min_disparity, numDisparities=num, blockSize=self.block_size, P1=self.p1,
            P2=self.p2, disp12MaxDiff=self.disp12_max_diff, uniquenessRatio=self.uniqueness_ratio,
            speckleWindowSize=self.speckle_window_size, speckleRange=self.speckle_range,
            preFilterCap=self.pre_filter_cap, mode=_SGBM_MODES[self.mode])

    def disparity(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Left-view disparity in full-size pixels (float32 ``H x W``, NaN where SGBM found no valid match)."""
        if left.shape != right.shape:
            raise ValueError(f'stereo views differ in shape: left {left.shape}, right {right.shape} '
                             f'(the pair must be rectified and the same size)')
        if self.scale != 1.0:
            size = (max(1, round(left.shape[1] * self.scale)), max(1, round(left.shape[0] * self.scale)))
            left = cv2.resize(left, size, interpolation=cv2.INTER_AREA)
            right = cv2.resize(right, size, interpolation=cv2.INTER_AREA)
        fixed_point = self.matcher(left.shape[1]).compute(np.ascontiguousarray(left), np.ascontiguousarray(right))
        disp = fixed_point.astype(np.float32) / 16.0  # SGBM returns disparity * 16 as int16
        disp[fixed_point < self.min_disparity * 16] = np.nan  # invalid: (minDisparity - 1) * 16
        return disp / self.scale

    def __call__(self, image: np.ndarray, meta: dict[str, Any]) -> np.ndarray:
        right_path = find_companion(self.right_root, image_rel_path(meta), self.suffixes, 'right stereo view',
                                    unique_stem=meta.get('unique_stem', True),
                                    unique_rel_stem=meta.get('unique_rel_stem', True))
        cal = self.calibration
        if cal == 'per_image':
            found, where = find_calibration(right_path, self.right_root, image_rel_path(meta))
            cal = scaled_calibration(found, image.shape[:2], where)
        disp = self.disparity(image, read_rgb(right_path))
        if cal is None:
            return self.normalizer(disp, image.shape[:2], inverse=True)
        with np.errstate(divide='ignore', invalid='ignore'):
            shifted = disp + cal['doffs']
            depth = np.where(shifted > 0, cal['focal_length'] * cal['baseline'] / shifted, np.nan)
        return self.normalizer(depth, image.shape[:2])
