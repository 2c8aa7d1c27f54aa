"""Picture of a LocalCut result (CutS3D sec. 3.2): which part of the semantic bipartition the 3D cut kept."""
from __future__ import annotations

import numpy as np

from .canvas import blend, check_image, check_map, draw_contours, draw_marker, patch_center, resize_nearest

INSTANCE_COLOR = (40, 220, 90)
CUT_AWAY_COLOR = (255, 140, 0)
SOURCE_COLOR = (40, 220, 90)
SINK_COLOR = (240, 40, 40)


def draw_local_cut(image: np.ndarray, bipartition: np.ndarray, instance: np.ndarray, source: int | None = None,
                   sink: int | None = None, alpha: float = 0.55) -> np.ndarray:
    """The instance (green) and the rest of the bipartition that the 3D min-cut separated from it (orange),
    both bool patch grids; the max-flow source (circle) and sink (cross) as flat patch indices.
    Returns uint8 RGB at the image size."""
    picture = check_image(image)
    size = picture.shape[:2]
    grid = check_map(bipartition, 'bipartition').astype(bool)
    kept = check_map(instance, 'instance').astype(bool)
    if kept.shape != grid.shape:
        raise ValueError(f'instance {kept.shape} and bipartition {grid.shape} must share the patch grid')
    kept_px = resize_nearest(kept, size)
    rest_px = resize_nearest(grid & ~kept, size)
    picture = blend(picture, np.full_like(picture, CUT_AWAY_COLOR), alpha, where=rest_px)
    picture = blend(picture, np.full_like(picture, INSTANCE_COLOR), alpha, where=kept_px)
    draw_contours(picture, kept_px, (255, 255, 255), 2)
    marker = max(4, size[0] // 40)
    if source is not None:
        draw_marker(picture, patch_center(source, grid.shape, size), SOURCE_COLOR, 'circle', marker)
    if sink is not None:
        draw_marker(picture, patch_center(sink, grid.shape, size), SINK_COLOR, 'cross', marker)
    return picture
