"""Constant confidence: every patch of an instance equally trusted, as in CutLER (no Spatial Confidence)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..registry import CONFIDENCE_ESTIMATORS
from ..structures import Cut, CutContext


@CONFIDENCE_ESTIMATORS.register_module()
class ConstantConfidence:
    """``value`` inside the instance, 0 outside (CutLER's binary masks: ``value=1``).

    ``partitioner`` is accepted and unused: the generator passes its partitioner to every confidence estimator
    (``build_component(cfg, CONFIDENCE_ESTIMATORS, partitioner=...)``), and only SpatialConfidence needs it.
    """

    def __init__(self, value: float = 1.0, partitioner: Any = None) -> None:
        if not 0 < value <= 1:
            raise ValueError(f'value must be in (0, 1], got {value}')
        self.value = float(value)

    def __call__(self, cut: Cut, instance: np.ndarray, context: CutContext) -> np.ndarray:
        """Float32 ``h x w``: ``value`` where ``instance`` is True, else 0; ``cut`` and ``context`` are unused."""
        return np.where(np.asarray(instance, dtype=bool), self.value, 0).astype(np.float32)
