"""The last step of every pseudo-mask generator: refine a patch mask on the image the features saw, then bring it
to the image's size."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..utils.mask_ops import resize_mask_smooth, upsample_nearest


def refine_to_image(refiner: Any, resized: np.ndarray, patch_mask: np.ndarray, size: tuple[int, int],
                    depth: np.ndarray | None = None) -> np.ndarray | None:
    """Patch mask ``h x w`` -> nearest upsampling to ``resized`` (the feature input image) -> ``refiner`` there
    (MaskCut's CRF runs at 480 x 480) -> the image ``size = (H, W)`` by PIL bicubic on 0/255 thresholded at 127.5
    (:func:`~cuts3d.utils.mask_ops.resize_mask_smooth`, as CutLER writes its masks).

    ``depth`` (the depth map at ``resized``'s size) goes to a refiner that compares depth too (``uses_depth``, e.g.
    ``DenseCRF(depth_std=...)``). Returns the bool ``H x W`` mask, or None when the refiner discards the mask or
    nothing of it is left.

    Raises:
        ValueError: the refiner returned a mask of another size than ``resized``.
    """
    mask = upsample_nearest(patch_mask, resized.shape[:2])
    refined = refiner(resized, mask) if depth is None else refiner(resized, mask, depth=depth)
    if refined is None:
        return None
    refined = np.asarray(refined, dtype=bool)
    if refined.shape != resized.shape[:2]:
        raise ValueError(f'refiner {type(refiner).__name__} returned shape {refined.shape} for a mask of '
                         f'{resized.shape[:2]}')
    mask = resize_mask_smooth(refined, size)
    return mask if mask.any() else None
