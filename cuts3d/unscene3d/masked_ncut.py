"""UnScene3D's masked NCut on 3D segments (section 4.2 and Algorithm 1 of its appendix).

Per iteration, on the segments not claimed yet:

1. affinity per modality: cosine similarity of segment features, min-max normalised to [0, 1] over the unclaimed
   segments (the released code's ``normalize_mat``; the paper's ``tau_cut`` values 0.4 - 0.8 in its Table 6 are on
   this scale); modalities are fused by a weighted average of their affinities (paper: "calculate similarity
   matrices A_2D and A_3D independently and take their weighted average");
2. ``W = 1 if A > tau_cut else eps`` (``tau_cut = 0.65`` for both modalities, 0.55 for geometry only; Algorithm 1
   writes ``>=``, the released code and MaskCut ``>``: the same graph up to exact ties), through the project's
   :func:`~cuts3d.cutting.affinity.binarize_affinity`;
3. the second smallest generalised eigenvector of ``(D - W) v = lambda D v``
   (:data:`~cuts3d.cutting.eigensolvers.SECOND_EIGENVECTOR_SOLVERS`), its sign fixed so that ``v[argmax |v|] > 0``;
4. bipartition ``v > mean(v)``, inverted (with ``v``) when it holds more than ``max_foreground_fraction`` of the
   segments (Algorithm 1: half; the released code uses 0.8);
5. connected components of the bipartition in the segment adjacency graph; the component holding the segment with
   the largest ``v`` is this iteration's mask (the paper's "Max" separation, best in its Table 7);
6. the mask's segments are claimed whether or not it is kept; it is kept when it has at least
   ``min_foreground_segments`` segments (Table 7: 8 or 2).

Iterations stop after ``max_instances`` kept masks, when fewer than 3 segments are left (no second eigenvector),
or when the bipartition is empty (``v`` constant). Every iteration claims at least one segment, so the loop ends.

Claimed segments are *removed* from the graph ("we mask out the row and column vectors from W"). The released code
keeps them as rows of ``eps``; once they are many, such a block can carry the second eigenvector by itself (a
claimed-versus-unclaimed split), which removal rules out.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from ..cutting.affinity import binarize_affinity, cosine_affinity, degree
from ..cutting.eigensolvers import SECOND_EIGENVECTOR_SOLVERS


@dataclass
class SegmentCut:
    """One iteration of the masked NCut: ``segments`` (bool ``S``) the separated component, ``bipartition`` (bool
    ``S``) the whole foreground side it came from, ``accepted`` whether it is kept as a pseudo-mask."""

    segments: np.ndarray
    bipartition: np.ndarray
    iteration: int
    accepted: bool


def normalized_similarity(feats: np.ndarray, normalize: bool = True) -> np.ndarray:
    """Cosine similarity of segment features (``S x D``), min-max scaled to [0, 1] when ``normalize``.

    A constant matrix (all segments alike) scales to all ones.
    """
    similarity = cosine_affinity(feats).astype(np.float64)
    if not normalize:
        return similarity
    low, high = similarity.min(), similarity.max()
    if high - low < 1e-12:
        return np.ones_like(similarity)
    return (similarity - low) / (high - low)


def fused_affinity(modality_feats: Sequence[np.ndarray], weights: Sequence[float], normalize: bool = True
                   ) -> np.ndarray:
    """Weighted average of the per-modality (normalised) similarities (UnScene3D sec. 4.2, multi-modal setup)."""
    total = float(sum(weights))
    return sum(w * normalized_similarity(f, normalize) for f, w in zip(modality_feats, weights)) / total


def seed_component(bipartition: np.ndarray, vector: np.ndarray, adjacency: sparse.csr_matrix) -> np.ndarray:
    """The connected component (in ``adjacency``) of ``bipartition`` that holds its largest ``vector`` entry."""
    nodes = np.flatnonzero(bipartition)
    _, labels = csgraph.connected_components(adjacency[nodes][:, nodes], directed=False)
    seed = int(np.argmax(vector[nodes]))
    component = np.zeros_like(bipartition)
    component[nodes[labels == labels[seed]]] = True
    return component


def masked_segment_ncut(modality_feats: Sequence[np.ndarray], adjacency: sparse.csr_matrix, *,
                        modality_weights: Sequence[float] | None = None, tau_cut: float = 0.65, eps: float = 1e-5,
                        normalize: bool = True, max_foreground_fraction: float = 0.5,
                        min_foreground_segments: int = 8, max_instances: int = 20, solver: str = 'fast'
                        ) -> list[SegmentCut]:
    """Algorithm 1 of UnScene3D on ``S`` segments; every iteration's :class:`SegmentCut`, in order.

    ``modality_feats``: one ``S x D_m`` array per modality; ``adjacency``: symmetric bool ``S x S`` segment graph.
    """
    feats = [np.asarray(f, dtype=np.float64) for f in modality_feats]
    num_segments = adjacency.shape[0]
    if not feats or any(f.ndim != 2 or len(f) != num_segments for f in feats):
        raise ValueError(f'need one S x D feature array per modality with S = {num_segments} segments, got shapes '
                         f'{[f.shape for f in feats]}')
    weights = [1.0] * len(feats) if modality_weights is None else [float(w) for w in modality_weights]
    if len(weights) != len(feats) or min(weights) < 0 or sum(weights) <= 0:
        raise ValueError(f'modality_weights must be {len(feats)} non-negative numbers with a positive sum, '
                         f'got {modality_weights}')
    if solver not in SECOND_EIGENVECTOR_SOLVERS:
        raise ValueError(f'unknown solver {solver!r}; choose one of {sorted(SECOND_EIGENVECTOR_SOLVERS)}')
    if not eps > 0:
        raise ValueError(f'eps must be > 0 (it keeps the degree matrix invertible), got {eps}')
    if not 0 < max_foreground_fraction <= 1:
        raise ValueError(f'max_foreground_fraction must be in (0, 1], got {max_foreground_fraction}')
    claimed = np.zeros(num_segments, dtype=bool)
    cuts: list[SegmentCut] = []
    iteration = 0
    while sum(cut.accepted for cut in cuts) < max_instances:
        active = np.flatnonzero(~claimed)
        if len(active) < 3:
            break
        graph = binarize_affinity(fused_affinity([f[active] for f in feats], weights, normalize), tau_cut, eps)
        vector = SECOND_EIGENVECTOR_SOLVERS[solver](graph, degree(graph))
        if vector[np.argmax(np.abs(vector))] < 0:
            vector = -vector
        side = vector > vector.mean()
        if side.sum() > max_foreground_fraction * len(active):
            side, vector = ~side, -vector
        if not side.any():
            break
        component = seed_component(side, vector, adjacency[active][:, active])
        bipartition, segments = np.zeros(num_segments, bool), np.zeros(num_segments, bool)
        bipartition[active[side]] = True
        segments[active[component]] = True
        claimed |= segments
        cuts.append(SegmentCut(segments=segments, bipartition=bipartition, iteration=iteration,
                               accepted=int(segments.sum()) >= min_foreground_segments))
        iteration += 1
    return cuts
