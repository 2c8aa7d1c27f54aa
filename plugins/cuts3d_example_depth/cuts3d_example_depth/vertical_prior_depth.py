"""A weight-free depth source: the ground-plane prior of photographs (lower rows are nearer)."""
from __future__ import annotations

import numpy as np

from cuts3d.registry import DEPTH_SOURCES


@DEPTH_SOURCES.register_module()
class VerticalPriorDepth:
    """Depth that grows linearly from the bottom row (``near``) to the top row (``far``).

    It knows nothing of the image content, so it only illustrates the plugin mechanism: a depth source is any
    callable ``(image, meta) -> float32 H x W`` in [0, 1] (larger = farther) registered in ``DEPTH_SOURCES``.
    """

    def __init__(self, near: float = 0.2, far: float = 1.0) -> None:
        if not 0.0 <= near <= 1.0 or not 0.0 <= far <= 1.0:
            raise ValueError(f'near and far must lie in [0, 1], got near={near}, far={far}')
        self.near = near
        self.far = far

    def __call__(self, image: np.ndarray, meta: dict) -> np.ndarray:
        height, width = image.shape[:2]
        rows = np.linspace(self.far, self.near, height, dtype=np.float32)
        return np.repeat(rows[:, None], width, axis=1)
