"""Depth on the patch grid and its orthographic point cloud (CutS3D sec. 3.2).

CutS3D resizes the monocular depth map to the patch grid and unprojects it orthographically, one point per patch.
The paper resizes (bilinearly); :func:`depth_to_grid` defaults to a per-patch NaN-aware median instead, because a
bilinear sample on a patch that straddles an object border mixes the object's depth with the background's, so the
point floats between the two surfaces (``docs/reference.md``, "Pitfalls"). ``reduce='bilinear'`` keeps the
paper-literal resize.
"""
from __future__ import annotations

import cv2
import numpy as np

DEPTH_REDUCTIONS = ('median', 'bilinear')


def _patch_bins(size: int, cells: int) -> np.ndarray:
    """Patch index of every pixel along one axis: pixel ``y`` belongs to patch ``floor(y * cells / size)``."""
    return (np.arange(size) * cells) // size


def _median_pool(depth: np.ndarray, grid: tuple[int, int]) -> np.ndarray:
    """Exact NaN-aware median of the pixels of each patch; NaN for a patch with no valid pixel.

    One sort of all valid pixels keyed by (patch, value) gives every patch's values in order, so any image size
    (divisible by the grid or not) costs one ``lexsort``.
    """
    h, w = grid
    rows = _patch_bins(depth.shape[0], h)
    cols = _patch_bins(depth.shape[1], w)
    patch = (rows[:, None] * w + cols[None, :]).ravel()
    values = depth.ravel()
    valid = ~np.isnan(values)
    patch, values = patch[valid], values[valid]
    values = values[np.lexsort((values, patch))]
    counts = np.bincount(patch, minlength=h * w)
    starts = np.cumsum(counts) - counts
    pooled = np.full(h * w, np.nan, dtype=np.float64)
    has = counts > 0
    low = values[(starts + (counts - 1) // 2)[has]]
    high = values[(starts + counts // 2)[has]]
    pooled[has] = (low.astype(np.float64) + high) / 2
    return pooled.reshape(h, w).astype(np.float32)


def _bilinear_resize(depth: np.ndarray, grid: tuple[int, int]) -> np.ndarray:
    """Bilinear resize (half-pixel centres, as ``F.interpolate(..., align_corners=False)``) that ignores NaNs.

    NaN pixels get weight 0 (normalised convolution); a cell whose four samples are all NaN stays NaN.
    """
    h, w = grid
    valid = ~np.isnan(depth)
    filled = np.where(valid, depth, 0).astype(np.float32)
    value = cv2.resize(filled, (w, h), interpolation=cv2.INTER_LINEAR)
    weight = cv2.resize(valid.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    out = np.full((h, w), np.nan, dtype=np.float32)
    np.divide(value, weight, out=out, where=weight > 1e-6)
    return out


def _row_nanmedian(rows: np.ndarray) -> np.ndarray:
    """NaN-aware median of each row of ``n x m``; NaN for a row without a valid value (no warning)."""
    ordered = np.sort(rows, axis=1)  # NaNs sort last
    counts = (~np.isnan(rows)).sum(axis=1)
    index = np.arange(len(rows))
    low = ordered[index, np.maximum(counts - 1, 0) // 2]
    high = ordered[index, counts // 2 - (counts == 0)]
    return np.where(counts > 0, (low + high) / 2, np.nan)


def fill_missing_depth(depth_grid: np.ndarray) -> np.ndarray:
    """Replace NaN patches: the NaN-median of their valid 8-neighbours, else the NaN-median of the whole grid.

    Unknown depth cannot become a point of the point cloud, and a constant such as 0 or 1 would invent a 3D
    boundary around every hole; the local median continues the surrounding surface instead. Raises ValueError
    when no patch has depth.
    """
    depth_grid = np.asarray(depth_grid, dtype=np.float32)
    missing = np.isnan(depth_grid)
    if not missing.any():
        return depth_grid
    if missing.all():
        raise ValueError('the depth map has no valid (non-NaN) value; cannot build a point cloud')
    padded = np.pad(depth_grid, 1, constant_values=np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(padded, (3, 3))[missing].reshape(-1, 9)
    local = _row_nanmedian(windows)
    filled = depth_grid.copy()
    filled[missing] = np.where(np.isnan(local), np.nanmedian(depth_grid), local)
    return filled


def depth_to_grid(depth: np.ndarray, grid: tuple[int, int], reduce: str = 'median',
                  fill_missing: bool = True) -> np.ndarray:
    """Depth ``H x W`` (NaN = unknown) to one value per patch, float32 ``h x w``.

    ``reduce='median'`` (default): the median of each patch's valid pixels, patch ``(i, j)`` covering pixel rows
    ``[i * H / h, (i + 1) * H / h)`` and the same for columns, so a patch on an object border takes the depth of
    the surface that covers most of it. ``reduce='bilinear'``: the paper-literal bilinear resize, NaN-aware.
    With ``fill_missing`` (default) patches without any valid pixel are filled by :func:`fill_missing_depth`;
    otherwise they stay NaN.
    """
    depth = np.asarray(depth)
    if depth.ndim != 2:
        raise ValueError(f'depth must be a 2-D H x W array, got shape {depth.shape}')
    h, w = (int(s) for s in grid)
    if h <= 0 or w <= 0:
        raise ValueError(f'grid must be two positive sizes, got {grid}')
    depth = depth.astype(np.float32, copy=False)
    if depth.shape[0] < h or depth.shape[1] < w:
        # An image thinner than the grid (5000 x 20 against 60 x 60 patches): repeat its pixels (nearest) so every
        # patch covers at least one, as the features' resize to their square input does for the image itself.
        size = (max(w, depth.shape[1]), max(h, depth.shape[0]))
        depth = cv2.resize(depth, size, interpolation=cv2.INTER_NEAREST)
    if reduce == 'median':
        pooled = _median_pool(depth, (h, w))
    elif reduce == 'bilinear':
        pooled = _bilinear_resize(depth, (h, w))
    else:
        raise ValueError(f'unknown depth reduction {reduce!r}; choose one of {DEPTH_REDUCTIONS}')
    return fill_missing_depth(pooled) if fill_missing else pooled


def unproject_orthographic(depth_grid: np.ndarray) -> np.ndarray:
    """Orthographic point cloud of a depth grid (CutS3D sec. 3.2): point ``(x / w, y / h, D[y, x])`` per patch.

    Returns float64 ``(h * w) x 3`` in row-major patch order (point ``y * w + x``), x the column and y the row,
    so all three coordinates lie in [0, 1] and ``tau_knn`` is measured in those units. Raises ValueError on NaN
    (fill them first, e.g. with :func:`fill_missing_depth`).
    """
    depth_grid = np.asarray(depth_grid)
    if depth_grid.ndim != 2:
        raise ValueError(f'depth grid must be 2-D h x w, got shape {depth_grid.shape}')
    if np.isnan(depth_grid).any():
        raise ValueError('depth grid contains NaN; fill it (fill_missing_depth) before unprojecting')
    h, w = depth_grid.shape
    ys, xs = np.mgrid[0:h, 0:w]
    return np.stack([xs.ravel() / w, ys.ravel() / h, depth_grid.ravel().astype(np.float64)], axis=1)
