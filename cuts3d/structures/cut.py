"""One bipartition of the patch graph, and what the components that act on it may look at.

A graph cutter returns a :class:`Cut`; partitioners, confidence estimators and affinity modifiers receive the
image's :class:`CutContext` (``docs/design.md``, "Component contracts").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


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
