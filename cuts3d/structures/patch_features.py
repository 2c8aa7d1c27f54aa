"""Dense patch features of one image: what a feature extractor returns (``docs/design.md``, "Component contracts")."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class PatchFeatures:
    """Dense patch features of one image.

    ``feats`` is float32 ``C x h x w``; ``input_size`` is the ``(H, W)`` of the resized image the network saw,
    so ``h = input_size[0] // patch_size``.
    """

    feats: np.ndarray
    patch_size: int
    input_size: tuple[int, int]

    @property
    def grid(self) -> tuple[int, int]:
        return int(self.feats.shape[1]), int(self.feats.shape[2])
