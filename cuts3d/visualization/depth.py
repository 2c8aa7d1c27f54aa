"""Picture of a depth map (image resolution or patch grid)."""
from __future__ import annotations

import numpy as np

from .canvas import apply_colormap, check_map, resize_nearest


def draw_depth(depth: np.ndarray, size: tuple[int, int] | None = None, cmap: str = 'magma_r',
               vmin: float | None = None, vmax: float | None = None) -> np.ndarray:
    """Colour a depth map (larger = farther, NaN = unknown, drawn grey): near is bright, far is dark.

    ``size = (H, W)`` resizes with nearest sampling (a patch-grid depth keeps its patches visible); the range
    defaults to the valid values' min and max (the project's depth is in [0, 1], but a map may use less of it).
    Returns uint8 RGB.
    """
    depth = check_map(depth, 'depth').astype(np.float32)
    valid = depth[np.isfinite(depth)]
    if vmin is None:
        vmin = float(valid.min()) if valid.size else 0.0
    if vmax is None:
        vmax = float(valid.max()) if valid.size else 1.0
    depth = np.where(np.isfinite(depth), depth, np.nan)
    picture = apply_colormap(depth, cmap, vmin, vmax)
    return picture if size is None else resize_nearest(picture, size)
