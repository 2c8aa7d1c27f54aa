"""Turn a raw depth (or inverse-depth) map into the depth-source contract: float32 ``H x W`` in [0, 1], larger =
farther, NaN where unknown.

CutS3D (sec. 3.2) takes "a depth map D in [0, 1]" from a monocular estimator without saying how it is scaled. Raw
maps differ wildly in range and outliers (metric metres, 16-bit millimetres, disparities), so every depth source
here maps its raw map through :class:`DepthNormalizer`: a robust min-max between two percentiles of the known
values, clipped to [0, 1]. A single far outlier (sky at 80 m in a room-scale scene) then cannot squash the rest of
the scene into a sliver of [0, 1], which would make LocalCut's k-NN graph see a flat scene.

Conventions, all documented behaviour rather than errors:

- ``+-inf`` and NaN in the raw map are unknown -> NaN.
- ``inverse=True`` (disparity, inverse depth): depth = 1 / value for value > 0; value == 0 means "infinitely far"
  and becomes 1 (farthest); value < 0 is invalid -> NaN. Taking the reciprocal before normalising keeps depth
  geometry (depth is proportional to 1 / disparity); for an affine-invariant inverse depth (MiDaS) it keeps the
  depth order exactly.
- No known value at all: the map stays all-NaN (a warning is logged).
- Constant known values (percentile range below ``1e-12``): 0.5 where known (a warning is logged); a flat scene
  carries no depth ordering, and 0.5 keeps it in the middle of the unit interval.
- A map whose size differs from the image's is resized with NaN-aware bilinear interpolation
  (:func:`resize_depth`); a map whose aspect ratio differs from the image's by more than ``aspect_tolerance``
  (relative) raises :class:`DepthShapeError`, because stretching it would put depth on the wrong pixels.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np

logger = logging.getLogger(__name__)

_FLAT_RANGE = 1e-12


class DepthShapeError(ValueError):
    """A depth map that cannot be brought to the image's size (not 2-D, or another aspect ratio)."""


def _as_2d(depth: np.ndarray) -> np.ndarray:
    depth = np.asarray(depth)
    if depth.ndim == 3 and depth.shape[2] == 1:
        depth = depth[:, :, 0]
    if depth.ndim != 2 or depth.size == 0:
        raise DepthShapeError(f'a depth map must be a non-empty H x W array; got shape {depth.shape}')
    return depth


def normalize_depth(depth: np.ndarray, low_pct: float = 1.0, high_pct: float = 99.0,
                    inverse: bool = False) -> np.ndarray:
    """Map a raw depth (or, with ``inverse``, inverse-depth) map to float32 [0, 1], larger = farther, NaN unknown.

    Values are scaled so that the ``low_pct`` and ``high_pct`` percentiles of the known values become 0 and 1,
    then clipped. See the module docstring for NaN, inf, zero-disparity and constant maps.
    """
    if not 0.0 <= low_pct < high_pct <= 100.0:
        raise ValueError(f'need 0 <= low_pct < high_pct <= 100; got low_pct={low_pct}, high_pct={high_pct}')
    raw = _as_2d(depth).astype(np.float64)
    raw[~np.isfinite(raw)] = np.nan
    if inverse:
        with np.errstate(divide='ignore', invalid='ignore'):
            raw = np.where(raw > 0, 1.0 / raw, np.where(raw == 0, np.inf, np.nan))
    finite = np.isfinite(raw)
    if not finite.any():
        if np.isnan(raw).all():
            logger.warning('depth map has no known value; it stays all-NaN')
        return np.where(np.isinf(raw), 1.0, np.nan).astype(np.float32)
    low, high = np.percentile(raw[finite], [low_pct, high_pct])
    if high - low < _FLAT_RANGE:
        logger.warning('depth map is constant (%.6g) where known; returning 0.5 there', low)
        out = np.where(finite, 0.5, np.where(np.isinf(raw), 1.0, np.nan))
        return out.astype(np.float32)
    with np.errstate(invalid='ignore'):
        out = np.clip((raw - low) / (high - low), 0.0, 1.0)  # +inf (zero disparity) clips to 1, NaN stays NaN
    return out.astype(np.float32)


def resize_depth(depth: np.ndarray, size: tuple[int, int], aspect_tolerance: float = 0.05) -> np.ndarray:
    """Resize a float depth map to ``size = (H, W)`` with NaN-aware bilinear interpolation.

    Known values are interpolated with ``cv2.INTER_LINEAR`` together with a known/unknown weight map; a pixel is
    known when at least half of its interpolation weight comes from known samples, and its value is the
    weight-renormalised average of those. Raises :class:`DepthShapeError` when the aspect ratios differ by more
    than ``aspect_tolerance`` (relative difference of ``W / H``).
    """
    depth = _as_2d(depth).astype(np.float32)
    height, width = int(size[0]), int(size[1])
    if height <= 0 or width <= 0:
        raise ValueError(f'target size must be positive; got {size}')
    if depth.shape == (height, width):
        return depth
    src_aspect = depth.shape[1] / depth.shape[0]
    dst_aspect = width / height
    if abs(src_aspect / dst_aspect - 1.0) > aspect_tolerance:
        raise DepthShapeError(
            f'depth map of size {depth.shape[0]}x{depth.shape[1]} (H x W, aspect {src_aspect:.3f}) does not match '
            f'the image size {height}x{width} (aspect {dst_aspect:.3f}) within aspect_tolerance={aspect_tolerance}; '
            f'was the depth computed on a crop or a rotated image?')
    known = np.isfinite(depth)
    values = np.where(known, depth, 0.0).astype(np.float32)
    weight = cv2.resize(known.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR)
    summed = cv2.resize(values, (width, height), interpolation=cv2.INTER_LINEAR)
    with np.errstate(divide='ignore', invalid='ignore'):
        out = np.where(weight >= 0.5, summed / weight, np.nan)
    return out.astype(np.float32)


@dataclass
class DepthNormalizer:
    """Robust percentile normalisation plus resizing to the image, shared by every depth source.

    Args:
        low_pct: percentile of the known values that maps to 0 (nearest).
        high_pct: percentile of the known values that maps to 1 (farthest).
        aspect_tolerance: largest relative aspect-ratio difference between a raw map and its image that
            :func:`resize_depth` accepts.
    """

    low_pct: float = 1.0
    high_pct: float = 99.0
    aspect_tolerance: float = 0.05

    def __post_init__(self) -> None:
        if not 0.0 <= self.low_pct < self.high_pct <= 100.0:
            raise ValueError(f'need 0 <= low_pct < high_pct <= 100; got {self.low_pct}, {self.high_pct}')
        if self.aspect_tolerance < 0:
            raise ValueError(f'aspect_tolerance must be >= 0; got {self.aspect_tolerance}')

    def __call__(self, raw: np.ndarray, image_size: tuple[int, int], inverse: bool = False) -> np.ndarray:
        """Normalise ``raw`` (see :func:`normalize_depth`) and resize it to ``image_size = (H, W)``."""
        normalized = normalize_depth(raw, self.low_pct, self.high_pct, inverse=inverse)
        return resize_depth(normalized, image_size, self.aspect_tolerance)


def build_normalizer(cfg: DepthNormalizer | dict | None) -> DepthNormalizer:
    """A :class:`DepthNormalizer` from a config dict (its fields), an instance, or None (the defaults)."""
    if cfg is None:
        return DepthNormalizer()
    if isinstance(cfg, DepthNormalizer):
        return cfg
    if isinstance(cfg, dict):
        return DepthNormalizer(**cfg)
    raise TypeError(f'normalizer must be a dict of DepthNormalizer fields or a DepthNormalizer; got {type(cfg)}')
