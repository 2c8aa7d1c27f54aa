"""NCut on the patch affinity graph, as CutLER's MaskCut does one cut (CutS3D section 3.1).

One call of :meth:`NCutCutter.cut` is one iteration of MaskCut's loop up to (not including) the connected
component: zero the features of claimed patches, build the cosine affinity, apply affinity modifiers, binarise,
take the second smallest generalised eigenvector, split it at its mean and orient the split with MaskCut's
seed/corner rule. The partitioner (:class:`~cuts3d.cutting.connected_component.ConnectedComponent2D` for MaskCut,
LocalCut for CutS3D) turns the returned :class:`~cuts3d.structures.Cut` into one instance.

``NCutCutter(solver='dense', orientation='solver')`` reproduces CutLER's patch masks bit for bit. The default
(``solver='fast'``, ``orientation='canonical'``) gives the same masks except where CutLER's own result depends on
the arbitrary sign LAPACK gives the eigenvector (see :func:`orient_bipartition`), and then takes the side the
corner rule intends.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..registry import AFFINITY_MODIFIERS, GRAPH_CUTTERS, build_component
from ..structures import Cut, CutContext, PatchFeatures
from .affinity import binarize_affinity, cosine_affinity, degree
from .eigensolvers import SECOND_EIGENVECTOR_SOLVERS

ORIENTATIONS = ('canonical', 'solver')
CLAIMED_MODES = ('zero', 'remove')
# Relative tolerance under which eigenvector entries count as tied in the canonical orientation. Nodes with equal
# rows in the binarised graph (common: a cluster whose members all link to each other and nothing else) have
# equal entries up to round-off, and plain argmax would then pick a seed by round-off.
TIE_RTOL = 1e-6


def first_argmax(values: np.ndarray, rtol: float = 0.0) -> int:
    """Index of the first entry within ``rtol * max |values|`` of the maximum (``np.argmax`` when ``rtol = 0``)."""
    threshold = values.max() - rtol * np.abs(values).max()
    return int(np.flatnonzero(values >= threshold)[0])


def orient_bipartition(vector: np.ndarray, grid: tuple[int, int], tie_rtol: float = 0.0,
                       active: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, int]:
    """MaskCut's bipartition and orientation rule, applied literally to an eigenvector ``vector`` (length ``h*w``).

    Bipartition ``v > mean(v)``; seed ``argmax |v|``; if at least 3 of the 4 grid corners lie in the bipartition
    it is background (CutLER's object-centric prior) and is inverted; otherwise it is inverted iff the seed is
    not in it. Inverting flips the mask and negates ``v``. Returns ``(bipartition h x w, oriented v, seed)`` with
    ``seed = argmax`` of the oriented ``v``, which always lies in the bipartition. ``tie_rtol > 0`` makes both
    argmaxes take the first (row-major) of near-tied entries, see :func:`first_argmax`.

    The rule is not invariant to the sign of ``vector``: when the seed's side of the split covers 3 or more
    corners, ``+v`` yields the other side and ``-v`` the seed's side. :class:`NCutCutter` therefore fixes the sign
    first (see its ``orientation``).

    ``active`` (bool, length ``h*w``; None: all) restricts the split to the nodes of the graph that was solved
    (``claimed='remove'``): the mean is taken over them, the others are on neither side (a removed corner counts as
    outside the bipartition) and inverting the split leaves them out.
    """
    height, width = grid
    if active is None:
        bipartition = vector > np.sum(vector) / vector.size
    else:
        bipartition = active & (vector > np.sum(vector[active]) / np.count_nonzero(active))
    seed = first_argmax(np.abs(vector), tie_rtol)
    grid_mask = bipartition.reshape(height, width)
    corners = int(grid_mask[0, 0]) + int(grid_mask[0, -1]) + int(grid_mask[-1, 0]) + int(grid_mask[-1, -1])
    if corners >= 3 or not bipartition[seed]:
        bipartition = np.logical_not(bipartition) if active is None else active & ~bipartition
        vector = -vector
    return bipartition.reshape(height, width), vector, first_argmax(vector, tie_rtol)


@GRAPH_CUTTERS.register_module()
class NCutCutter:
    """MaskCut's NCut bipartition of the patch graph (CutLER; CutS3D section 3.1).

    Args:
        tau: binarisation threshold of the cosine affinity (CutLER's MaskCut default 0.15).
        eps: weight of the edges below ``tau`` (MaskCut: 1e-5).
        solver: ``'fast'`` (ARPACK on the normalised affinity, ~40x faster) or ``'dense'`` (CutLER's
            ``scipy.linalg.eigh`` call); both give the same eigenvector up to sign and round-off.
        affinity_modifiers: configs (or built objects) from ``AFFINITY_MODIFIERS``, applied in order to the cosine
            affinity before binarisation, e.g. ``[dict(type='SpatialImportance')]`` for CutS3D.
        orientation: the sign of an eigenvector is arbitrary, and MaskCut's corner rule depends on it (see
            :func:`orient_bipartition`). ``'canonical'`` (default) flips ``v`` so that ``v[argmax |v|] > 0``
            before the rule and breaks near-ties of argmax by taking the first patch in row-major order
            (:data:`TIE_RTOL`): the result no longer depends on the solver, and the corner rule acts as CutLER
            intends (a seed side covering >= 3 corners is treated as background). ``'solver'`` keeps the solver's
            sign and plain ``argmax``; with ``solver='dense'`` this reproduces CutLER's MaskCut bit for bit,
            including the cases where LAPACK's sign lets a background frame through.
        claimed: what happens to the patches earlier cuts claimed (the inactive ones). ``'zero'`` (default,
            MaskCut): their features are zeroed and the full graph is solved, so they stay in it as nodes with
            ``eps`` edges only. ``'remove'`` (CutS3D sec. 3.1, "we remove the nodes ... from the affinity graph"):
            the graph of the active nodes alone is solved; removed nodes get the eigenvector value of the split
            threshold (the mean over the active nodes), so they lie on neither side of it, and they are never in
            the bipartition.
    """

    def __init__(self, tau: float = 0.15, eps: float = 1e-5, solver: str = 'fast',
                 affinity_modifiers: Sequence[dict | Any] = (), orientation: str = 'canonical',
                 claimed: str = 'zero') -> None:
        if solver not in SECOND_EIGENVECTOR_SOLVERS:
            raise ValueError(f'unknown NCut solver {solver!r}; choose one of {sorted(SECOND_EIGENVECTOR_SOLVERS)}')
        if orientation not in ORIENTATIONS:
            raise ValueError(f'unknown orientation {orientation!r}; choose one of {list(ORIENTATIONS)}')
        if claimed not in CLAIMED_MODES:
            raise ValueError(f'unknown claimed mode {claimed!r}; choose one of {list(CLAIMED_MODES)}')
        if not eps > 0:
            raise ValueError(f'eps must be > 0 (it keeps the degree matrix invertible), got {eps}')
        self.tau = float(tau)
        self.eps = float(eps)
        self.solver = solver
        self.orientation = orientation
        self.claimed = claimed
        self.affinity_modifiers = [build_component(cfg, AFFINITY_MODIFIERS) for cfg in affinity_modifiers]

    def cut(self, feats: PatchFeatures, active: np.ndarray, context: CutContext) -> Cut | None:
        """Bipartition the patch graph with the inactive patches zeroed or removed (see ``claimed``).

        With ``claimed='zero'``, as in MaskCut, claimed patches are not removed from the graph: their features are
        multiplied by 0, so their affinity rows become all ``eps`` and the whole problem is solved again.

        Returns None when no patch is active, when ``'remove'`` leaves fewer than 3 nodes, and when the binarised
        graph of the active patches is one clique (every pair above ``tau``). A clique has no preferred cut: all
        eigenvalues after the first are equal, the "second" eigenvector is any vector of that eigenspace, and the
        solver returns one that depends on floating-point round-off (so the same image gave different masks from
        run to run; a flooded graph, see :mod:`cuts3d.cutting.spatial_importance`, is the usual way to get one).
        """
        active = self._check_inputs(feats, active, context)
        grid = feats.grid
        flat_active = active.reshape(-1)
        if not active.any() or (self.claimed == 'remove' and np.count_nonzero(active) < 3):
            return None
        node_feats = feats.feats.reshape(feats.feats.shape[0], -1).T * active.reshape(-1, 1)
        affinity = cosine_affinity(node_feats)
        for modifier in self.affinity_modifiers:
            affinity = modifier(affinity, context)
        graph = binarize_affinity(affinity, self.tau, self.eps)
        nodes = np.flatnonzero(flat_active)
        if graph[np.ix_(nodes, nodes)].min() == 1.0:
            return None  # one clique: every split has the same normalised cut (1), none is preferred
        if self.claimed == 'remove':
            sub_graph = graph[np.ix_(nodes, nodes)]
            sub_vector = SECOND_EIGENVECTOR_SOLVERS[self.solver](sub_graph, degree(sub_graph))
            vector = np.full(flat_active.size, np.mean(sub_vector))
            vector[nodes] = sub_vector
        else:
            vector = SECOND_EIGENVECTOR_SOLVERS[self.solver](graph, degree(graph))
        tie_rtol = 0.0
        if self.orientation == 'canonical':
            tie_rtol = TIE_RTOL
            vector = vector if vector[first_argmax(np.abs(vector), tie_rtol)] > 0 else -vector
        bipartition, vector, seed = orient_bipartition(vector, grid, tie_rtol,
                                                       flat_active if self.claimed == 'remove' else None)
        return Cut(bipartition=bipartition, eigenvector=vector.reshape(grid).astype(np.float32), seed=seed)

    @staticmethod
    def _check_inputs(feats: PatchFeatures, active: np.ndarray, context: CutContext) -> np.ndarray:
        if feats.feats.ndim != 3:
            raise ValueError(f'PatchFeatures.feats must be C x h x w, got shape {feats.feats.shape}')
        grid = feats.grid
        if grid[0] * grid[1] < 3:
            raise ValueError(f'NCut needs at least 3 patches for a second smallest eigenvector, got grid {grid}')
        active = np.asarray(active)
        if active.shape != grid:
            raise ValueError(f'active mask has shape {active.shape}, but the feature grid is {grid}')
        if tuple(context.grid) != grid:
            raise ValueError(f'CutContext.grid {tuple(context.grid)} does not match the feature grid {grid}')
        if not np.isfinite(feats.feats).all():
            raise ValueError('PatchFeatures.feats contains NaN or infinite values')
        return active.astype(bool)
