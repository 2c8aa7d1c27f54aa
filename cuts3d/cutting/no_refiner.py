"""A mask refiner that refines nothing: for ablations without the CRF and for fast tests."""
from __future__ import annotations

import numpy as np

from ..registry import MASK_REFINERS


@MASK_REFINERS.register_module()
class NoRefiner:
    """Return the mask unchanged (as bool), or None (discard) when it is empty, as the CRF path would."""

    def __call__(self, image: np.ndarray, mask: np.ndarray) -> np.ndarray | None:
        mask = np.asarray(mask)
        if mask.shape != image.shape[:2]:
            raise ValueError(f'mask has shape {mask.shape}, but the image is {image.shape[:2]}')
        mask = mask.astype(bool)
        return mask if mask.any() else None
