"""UnScene3D's pseudo-mask generator for 3D scenes: over-segment, average features per segment, masked NCut.

The 3D counterpart of :class:`~cuts3d.pseudo.maskcut_generator.MaskCutGenerator`, registered in
PSEUDO_MASK_GENERATORS so configs build it the same way, but with a 3D contract:
``__call__(scene, meta=None) -> list[PointInstance]``, where ``scene`` is anything
:func:`~cuts3d.unscene3d.point_scene.as_point_scene` reads (an Open3D mesh or point cloud, a dict of arrays) and
each instance is a bool mask over the scene's points. The 2D extraction runner does not call it.

Scores: the masks are extracted greedily, "in order of confidence" (UnScene3D sec. 4.2), and the released code
saves none, so the ``j``-th kept mask (from 0) gets ``score = 1 - j / max_instances``: the order is the ranking an
AP evaluation sees.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from ..registry import OVER_SEGMENTERS, PSEUDO_MASK_GENERATORS, SEGMENT_FEATURES, build_component
from ..utils.timing import StageTimer
from .masked_ncut import masked_segment_ncut
from .neighbour_graph import neighbour_edges, segment_adjacency
from .point_scene import as_point_scene

STAGES = ('oversegment', 'features', 'ncut')


@dataclass
class PointInstance:
    """One 3D pseudo-mask: ``mask`` bool over the scene's points, ``score`` in (0, 1], ``provenance``."""

    mask: np.ndarray
    score: float
    provenance: dict[str, Any] = field(default_factory=dict)


@PSEUDO_MASK_GENERATORS.register_module()
class SegmentNCutGenerator:
    """UnScene3D's pseudo-masks of one scene (section 4.2, Algorithm 1 of the appendix).

    Args:
        over_segmenter: OVER_SEGMENTERS config (``FelzenszwalbSegmenter``).
        segment_features: SEGMENT_FEATURES configs, one per modality (default: mean colour and mean normal).
        modality_weights: weights of the modalities' affinities in their average (default: equal).
        tau_cut: affinity threshold (paper: 0.65 with both modalities, 0.55 geometry only).
        eps: weight of the edges below ``tau_cut``.
        normalize: min-max normalise each modality's cosine similarity first (the released code does).
        max_foreground_fraction: invert a bipartition holding more than this fraction of the remaining segments
            (Algorithm 1: 0.5; released code: 0.8).
        min_foreground_segments: a separated mask with fewer segments is discarded (Table 7: 8, or 2 for a denser
            set).
        max_instances: masks per scene (released code: 20).
        adjacency_knn: neighbours per point of the k-NN graph that defines segment adjacency in a point cloud
            (a mesh uses its edges).
        solver: ``'fast'`` (ARPACK) or ``'dense'`` (the released code's ``scipy.linalg.eigh``).
    """

    def __init__(self, over_segmenter: dict | Any = None, segment_features: Sequence[dict | Any] | None = None, *,
                 modality_weights: Sequence[float] | None = None, tau_cut: float = 0.65, eps: float = 1e-5,
                 normalize: bool = True, max_foreground_fraction: float = 0.5, min_foreground_segments: int = 8,
                 max_instances: int = 20, adjacency_knn: int = 10, solver: str = 'fast') -> None:
        if max_instances < 1 or min_foreground_segments < 1:
            raise ValueError(f'max_instances and min_foreground_segments must be >= 1, got {max_instances}, '
                             f'{min_foreground_segments}')
        over_segmenter = dict(type='FelzenszwalbSegmenter') if over_segmenter is None else over_segmenter
        if segment_features is None:
            segment_features = [dict(type='SegmentMeanColor'), dict(type='SegmentMeanNormal')]
        if not segment_features:
            raise ValueError('segment_features needs at least one feature source')
        self.over_segmenter = build_component(over_segmenter, OVER_SEGMENTERS)
        self.segment_features = [build_component(cfg, SEGMENT_FEATURES) for cfg in segment_features]
        self.ncut_options = dict(modality_weights=None if modality_weights is None else list(modality_weights),
                                 tau_cut=float(tau_cut), eps=float(eps), normalize=bool(normalize),
                                 max_foreground_fraction=float(max_foreground_fraction),
                                 min_foreground_segments=int(min_foreground_segments),
                                 max_instances=int(max_instances), solver=solver)
        self.max_instances = int(max_instances)
        self.adjacency_knn = int(adjacency_knn)
        self.segment_ids: np.ndarray | None = None
        self._timer = StageTimer()

    @property
    def timings(self) -> dict[str, float]:
        """Seconds per stage (:data:`STAGES`) spent on the last scene."""
        return {stage: self._timer.seconds.get(stage, 0.0) for stage in STAGES}

    def __call__(self, scene: Any, meta: dict | None = None) -> list[PointInstance]:
        """Per-point pseudo-masks of one scene, most confident first; :attr:`segment_ids` keeps its segments."""
        self._timer.reset()
        scene = as_point_scene(scene)
        with self._timer('oversegment'):
            segment_ids = np.asarray(self.over_segmenter(scene), dtype=np.int64)
            if segment_ids.shape != (len(scene),):
                raise ValueError(f'{type(self.over_segmenter).__name__} returned {segment_ids.shape} segment ids '
                                 f'for {len(scene)} points')
            _, segment_ids = np.unique(segment_ids, return_inverse=True)  # ids 0 .. S - 1, none empty
            segment_ids = segment_ids.ravel()
            num_segments = int(segment_ids.max()) + 1
            adjacency = segment_adjacency(neighbour_edges(scene, self.adjacency_knn), segment_ids, num_segments)
        self.segment_ids = segment_ids
        with self._timer('features'):
            feats = [np.asarray(source(scene, segment_ids, num_segments)) for source in self.segment_features]
        with self._timer('ncut'):
            cuts = masked_segment_ncut(feats, adjacency, **self.ncut_options)
        kept = [cut for cut in cuts if cut.accepted]
        return [PointInstance(mask=cut.segments[segment_ids], score=1.0 - rank / self.max_instances,
                              provenance={'iteration': cut.iteration, 'rank': rank,
                                          'segments': np.flatnonzero(cut.segments).tolist()})
                for rank, cut in enumerate(kept)]
