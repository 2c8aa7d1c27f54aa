"""A flat depth map: the ablation "no 3D information".

With every point at the same depth the orthographic point cloud is a plane, so LocalCut's k-NN graph only sees
image-plane distances and Spatial Importance is zero everywhere: CutS3D's depth-driven parts become no-ops while
the rest of the pipeline runs unchanged.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..registry import DEPTH_SOURCES


@DEPTH_SOURCES.register_module()
class ConstantDepth:
    """Depth ``value`` (in [0, 1]) at every pixel of the image."""

    def __init__(self, value: float = 0.5) -> None:
        if not 0.0 <= value <= 1.0:
            raise ValueError(f'ConstantDepth value must be in [0, 1]; got {value}')
        self.value = float(value)

    def __call__(self, image: np.ndarray, meta: dict[str, Any]) -> np.ndarray:
        return np.full(image.shape[:2], self.value, dtype=np.float32)
