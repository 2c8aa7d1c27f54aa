"""Picture of final instance masks (pseudo-masks or ground truth) over the image."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .canvas import blend, check_image, check_map, distinct_colors, draw_contours, put_label, resize_nearest


def draw_instances(image: np.ndarray, masks: Sequence[np.ndarray] | np.ndarray,
                   scores: Sequence[float] | None = None, alpha: float = 0.45) -> np.ndarray:
    """Each mask (bool, image size or patch grid) filled with its own colour, outlined, and labelled with its
    index and, when given, its score. Later masks are drawn over earlier ones. Returns uint8 RGB."""
    picture = check_image(image)
    size = picture.shape[:2]
    if scores is not None and len(scores) != len(masks):
        raise ValueError(f'got {len(masks)} masks but {len(scores)} scores')
    colors = distinct_colors(len(masks))
    for index, mask in enumerate(masks):
        region = resize_nearest(check_map(mask, f'mask {index}').astype(bool), size)
        if not region.any():
            continue
        color = tuple(int(c) for c in colors[index])
        picture = blend(picture, np.broadcast_to(np.array(color, np.uint8), picture.shape), alpha, where=region)
        draw_contours(picture, region, color, 2)
        rows, cols = np.nonzero(region)
        text = f'{index}' if scores is None else f'{index}: {scores[index]:.2f}'
        put_label(picture, text, (int(cols.min()), int(rows.min())), color)
    return picture
