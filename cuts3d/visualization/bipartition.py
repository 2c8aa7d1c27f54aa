"""Picture of one NCut bipartition (the semantic group a cut found) on the image."""
from __future__ import annotations

import numpy as np

from .canvas import blend, check_image, check_map, draw_contours, draw_marker, patch_center, resize_nearest

BIPARTITION_COLOR = (255, 140, 0)
CLAIMED_COLOR = (90, 90, 90)


def draw_bipartition(image: np.ndarray, bipartition: np.ndarray, claimed: np.ndarray | None = None,
                     seed: int | None = None, alpha: float = 0.5) -> np.ndarray:
    """The bipartition (bool patch grid) tinted orange with its outline, patches claimed by earlier cuts grey
    (the claimed part of the bipartition too: later cuts cannot take it), the seed patch (flat index) marked.
    Returns uint8 RGB at the image size."""
    picture = check_image(image)
    size = picture.shape[:2]
    grid = check_map(bipartition, 'bipartition').astype(bool)
    taken = np.zeros(size, bool)
    if claimed is not None:
        taken = resize_nearest(check_map(claimed, 'claimed').astype(bool), size)
    region = resize_nearest(grid, size) & ~taken
    picture = blend(picture, np.full_like(picture, CLAIMED_COLOR), 0.7, where=taken)
    picture = blend(picture, np.full_like(picture, BIPARTITION_COLOR), alpha, where=region)
    draw_contours(picture, region, BIPARTITION_COLOR, 2)
    if seed is not None:
        draw_marker(picture, patch_center(seed, grid.shape, size), (255, 255, 0), 'cross', max(4, size[0] // 40))
    return picture
