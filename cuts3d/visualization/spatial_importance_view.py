"""Picture of the Spatial Importance map (CutS3D sec. 3.3): where depth changes sharply, affinities are sharpened."""
from __future__ import annotations

import numpy as np

from .canvas import apply_colormap, blend, check_image, check_map, resize_nearest


def draw_spatial_importance(importance: np.ndarray, size: tuple[int, int], image: np.ndarray | None = None,
                            cmap: str = 'viridis', alpha: float = 0.7) -> np.ndarray:
    """Colour the per-patch Spatial Importance ``dD_n`` (in ``[beta, 1]``, high on 3D edges) over its own range.

    With ``image`` the colours are blended over it with opacity ``alpha``. Returns uint8 RGB for
    ``size = (H, W)``.
    """
    importance = check_map(importance, 'spatial importance').astype(np.float64)
    picture = resize_nearest(apply_colormap(importance, cmap, float(np.nanmin(importance)),
                                            float(np.nanmax(importance))), size)
    if image is not None:
        picture = blend(resize_nearest(check_image(image), size), picture, alpha)
    return picture
