"""Picture of a Spatial Confidence map (CutS3D sec. 3.4): how many LocalCuts at varied ``tau_knn`` agree."""
from __future__ import annotations

import numpy as np

from .canvas import apply_colormap, blend, check_image, check_map, draw_contours, resize_nearest


def draw_spatial_confidence(confidence: np.ndarray, image: np.ndarray, mask: np.ndarray | None = None,
                            cmap: str = 'inferno', alpha: float = 0.75) -> np.ndarray:
    """Colour SC in [0, 1] (fixed range, so maps of different masks compare) over ``image`` where SC > 0.

    ``confidence`` may be at image size or on the patch grid (resized with nearest sampling); ``mask`` (same
    rules) gets a white contour. Returns uint8 RGB at the image size.
    """
    image = check_image(image)
    size = image.shape[:2]
    confidence = resize_nearest(check_map(confidence, 'confidence').astype(np.float64), size)
    picture = blend(image // 2, apply_colormap(confidence, cmap, 0.0, 1.0), alpha, where=confidence > 0)
    if mask is not None:
        draw_contours(picture, resize_nearest(check_map(mask, 'mask').astype(bool), size), (255, 255, 255), 1)
    return picture
