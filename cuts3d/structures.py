"""The data that flows between extraction components (DESIGN.md, "Component contracts").

Arrays are numpy; images are RGB uint8 ``H x W x 3``; patch grids are ``h x w`` and flattened row-major
(index ``i = row * w + col``) wherever a component works on graph nodes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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


@dataclass
class Cut:
    """One bipartition of the patch graph.

    ``bipartition`` is bool ``h x w`` (True = the foreground side, after MaskCut's inversion rules);
    ``eigenvector`` is float32 ``h x w``, oriented so that the foreground side is the larger one;
    ``seed`` is the flat index of the most foreground patch (``argmax`` of the oriented eigenvector).
    """

    bipartition: np.ndarray
    eigenvector: np.ndarray
    seed: int


@dataclass
class CutContext:
    """What a partitioner, confidence estimator or affinity modifier may look at for one image.

    ``depth`` is float32 ``h x w`` on the patch grid in [0, 1] (larger = farther, NaN unknown) or None when the
    method uses no depth; ``image`` is the resized RGB image the features were computed on; ``claimed`` is bool
    ``h x w``, the patches taken by earlier cuts of this image; ``extras`` carries intermediate results for
    visualisation (e.g. the Spatial Importance map).
    """

    image: np.ndarray
    grid: tuple[int, int]
    depth: np.ndarray | None = None
    claimed: np.ndarray | None = None
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass
class Instance:
    """One pseudo-mask at the original image size.

    ``mask`` bool ``H x W``; ``confidence`` float32 ``H x W`` in [0, 1] (the Spatial Confidence map, 1 inside the
    mask for methods without one, 0 outside); ``score`` the mean confidence inside the mask; ``provenance`` says
    which cut of the image produced it and with which settings.
    """

    mask: np.ndarray
    confidence: np.ndarray
    score: float
    provenance: dict[str, Any] = field(default_factory=dict)
