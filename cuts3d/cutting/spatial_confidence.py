"""Spatial Confidence: how stable an instance is when LocalCut's threshold varies (CutS3D sec. 3.4).

For an object with a clear 3D boundary, LocalCut gives the same mask for every ``tau_knn``; where the boundary is
vague the masks differ. The map is the mean of ``T`` LocalCuts with ``tau_knn`` linearly spaced from
``tau_min_ratio * tau_knn`` to ``tau_knn`` (eq. (4)), floored at ``SC_min`` inside the instance (Table 5c) and 0
outside it.
"""
from __future__ import annotations

import numpy as np

from ..registry import CONFIDENCE_ESTIMATORS
from ..structures import Cut, CutContext
from .local_cut import LocalCut


def spatial_confidence(binary_cuts: np.ndarray) -> np.ndarray:
    """CutS3D eq. (4): ``SC_ij = 1/T sum_t BC_ij(t)``, the mean of ``T`` binary cuts (``T x h x w``), float32."""
    binary_cuts = np.asarray(binary_cuts, dtype=bool)
    if binary_cuts.ndim != 3 or binary_cuts.shape[0] == 0:
        raise ValueError(f'binary cuts must be a non-empty T x h x w stack, got shape {binary_cuts.shape}')
    return binary_cuts.mean(axis=0, dtype=np.float64).astype(np.float32)


@CONFIDENCE_ESTIMATORS.register_module()
class SpatialConfidence:
    """CutS3D's Spatial Confidence map of one instance (sec. 3.4, eq. (4), Table 5c).

    Args:
        num_cuts: ``T``, the number of LocalCuts (6 is *unverified*: the paper does not state T). With
            ``num_cuts=1`` the single cut uses ``tau_knn``.
        tau_min_ratio: ``tau_knn^min / tau_knn`` (0.5 is *unverified*: the paper does not state tau_min).
        floor: ``SC^min``, the lowest confidence inside the instance (CutS3D Table 5c: 0.5).
        partitioner: the generator's :class:`LocalCut`, injected by the generator
            (``build_component(cfg, CONFIDENCE_ESTIMATORS, partitioner=...)``); its ``tau_knn`` is the upper end.
    """

    def __init__(self, num_cuts: int = 6, tau_min_ratio: float = 0.5, floor: float = 0.5,
                 partitioner: LocalCut | None = None) -> None:
        if not isinstance(partitioner, LocalCut):
            raise TypeError('SpatialConfidence re-runs LocalCut at other thresholds and needs the generator\'s '
                            f'partitioner to be a LocalCut; got {type(partitioner).__name__}. Use '
                            'ConstantConfidence with other partitioners (e.g. ConnectedComponent2D).')
        if num_cuts < 1:
            raise ValueError(f'num_cuts must be >= 1, got {num_cuts}')
        if not 0 < tau_min_ratio <= 1:
            raise ValueError(f'tau_min_ratio must be in (0, 1], got {tau_min_ratio}')
        if not 0 <= floor <= 1:
            raise ValueError(f'floor must be in [0, 1], got {floor}')
        self.num_cuts = int(num_cuts)
        self.tau_min_ratio = float(tau_min_ratio)
        self.floor = float(floor)
        self.partitioner = partitioner

    @property
    def levels(self) -> int:
        """``T``: on the patch grid the map takes the values ``k / T`` (and the floor), see eq. (4)."""
        return self.num_cuts

    @property
    def thresholds(self) -> np.ndarray:
        """The ``T`` values of ``tau_knn``, linearly spaced from ``tau_min`` to the partitioner's ``tau_knn``."""
        tau = self.partitioner.tau_knn
        if self.num_cuts == 1:
            return np.array([tau])
        return np.linspace(self.tau_min_ratio * tau, tau, self.num_cuts)

    def __call__(self, cut: Cut, instance: np.ndarray, context: CutContext) -> np.ndarray:
        """Float32 ``h x w``: eq. (4) inside ``instance`` floored at ``floor``, 0 outside."""
        instance = np.asarray(instance, dtype=bool)
        if instance.shape != tuple(context.grid):
            raise ValueError(f'instance has shape {instance.shape}, expected the patch grid {tuple(context.grid)}')
        cuts = np.stack(self.partitioner.cuts_at(cut, context, self.thresholds))
        return np.where(instance, np.maximum(spatial_confidence(cuts), self.floor), 0).astype(np.float32)
