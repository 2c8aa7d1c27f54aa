"""Picture of the NCut eigenvector (the second smallest generalised eigenvector) on the patch grid."""
from __future__ import annotations

import numpy as np

from .canvas import apply_colormap, blend, check_image, check_map, draw_marker, patch_center, resize_nearest


def draw_eigenvector(eigenvector: np.ndarray, size: tuple[int, int], seed: int | None = None,
                     image: np.ndarray | None = None, cmap: str = 'RdBu_r', alpha: float = 0.75) -> np.ndarray:
    """Diverging colours centred on ``mean(v)``, the value MaskCut splits at: red = the foreground side
    (``v > mean``), blue = the other side, white = the split. The range is symmetric, ``mean +- max|v - mean|``.

    ``seed`` (flat patch index) is marked with a cross; with ``image`` (resized to ``size``) the colours are
    blended over it with opacity ``alpha``. Returns uint8 RGB ``H x W x 3`` for ``size = (H, W)``.
    """
    eigenvector = check_map(eigenvector, 'eigenvector').astype(np.float64)
    centre = float(eigenvector.mean())
    reach = float(np.abs(eigenvector - centre).max()) or 1.0
    picture = resize_nearest(apply_colormap(eigenvector, cmap, centre - reach, centre + reach), size)
    if image is not None:
        picture = blend(resize_nearest(check_image(image), size), picture, alpha)
    if seed is not None:
        draw_marker(picture, patch_center(seed, eigenvector.shape, size), (255, 255, 0), 'cross',
                    max(4, size[0] // 40))
    return picture
