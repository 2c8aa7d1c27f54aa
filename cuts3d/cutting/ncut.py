"""NCut on the patch affinity graph, as CutLER's MaskCut does one cut (CutS3D section 3.1).

One call of :meth:`NCutCutter.cut` is one iteration of MaskCut's loop up to (not including) the connected
component: zero the features of claimed patches, build the cosine affinity, apply affinity modifiers, binarise,
take the second smallest generalised eigenvector, split it at its mean and orient the split with MaskCut's
seed/corner rule. The partitioner (:class:`~cuts3d.cutting.connected_component.ConnectedComponent2D` for MaskCut,
LocalCut for CutS3D) turns the returned :class:`~cuts3d.structures.Cut` into one instance.

``NCutCutter(solver='dense', orientation='solver')`` reproduces CutLER's patch masks bit for bit. The default
(``solver='fast'``, ``orientation='canonical'``) gives the same masks except where CutLER's own result depends on
the arbitrary sign LAPACK gives the eigenvector (see :func:`orient_bipartition`), and then takes the side the
corner rule intends. The fast solvers build an image's binarised pattern once and reuse it for all its cuts
(:mod:`~cuts3d.cutting.image_graph_cache`), multiply by it matrix-free in float32
(:mod:`~cuts3d.cutting.pattern_graph`), and solve on the CPU with ARPACK or on a torch device with a batched LOBPCG
over several images (:meth:`NCutCutter.cut_batch`, :mod:`~cuts3d.cutting.batched_lobpcg`); docs/performance.md
has the measurements.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import torch

from ..registry import AFFINITY_MODIFIERS, GRAPH_CUTTERS, build_component
from ..structures import Cut, CutContext, PatchFeatures
from .affinity import NORM_EPS, affinity_pattern, binarize_affinity, cosine_affinity, degree
from .batched_lobpcg import BatchedPatternGraph, batched_second_eigenvectors
from .eigensolvers import SECOND_EIGENVECTOR_SOLVERS, pattern_second_eigenvector
from .image_graph_cache import ImageGraph, ImageGraphCache, identical_row_groups
from .pattern_graph import PatternGraph

ORIENTATIONS = ('canonical', 'solver')
NCUT_SOLVERS = ('dense', 'fast', 'lobpcg')
CLAIMED_MODES = ('zero', 'remove')
PRECISIONS = {'float32': (np.float32, torch.float32), 'float64': (np.float64, torch.float64)}
# Relative tolerance under which eigenvector entries count as tied in the canonical orientation. Nodes with equal
# rows in the binarised graph (common: a cluster whose members all link to each other and nothing else) have
# equal entries up to round-off, and plain argmax would then pick a seed by round-off.
TIE_RTOL = 1e-6
# Largest change, relative to the vector's norm, that averaging tied entries may make (float32 round-off is below
# 1e-5 of it); a larger change means the entries differ for real (see average_tied_entries).
TIE_AVERAGE_RTOL = 1e-3

CutItem = tuple[PatchFeatures, np.ndarray, CutContext]


def first_argmax(values: np.ndarray, rtol: float = 0.0) -> int:
    """Index of the first entry within ``rtol * max |values|`` of the maximum (``np.argmax`` when ``rtol = 0``)."""
    threshold = values.max() - rtol * np.abs(values).max()
    return int(np.flatnonzero(values >= threshold)[0])


def orient_bipartition(vector: np.ndarray, grid: tuple[int, int],
                       tie_rtol: float = 0.0) -> tuple[np.ndarray, np.ndarray, int]:
    """MaskCut's bipartition and orientation rule, applied literally to an eigenvector ``vector`` (length ``h*w``).

    Bipartition ``v > mean(v)``; seed ``argmax |v|``; if at least 3 of the 4 grid corners lie in the bipartition
    it is background (CutLER's object-centric prior) and is inverted; otherwise it is inverted iff the seed is
    not in it. Inverting flips the mask and negates ``v``. Returns ``(bipartition h x w, oriented v, seed)`` with
    ``seed = argmax`` of the oriented ``v``, which always lies in the bipartition. ``tie_rtol > 0`` makes both
    argmaxes take the first (row-major) of near-tied entries, see :func:`first_argmax`.

    The rule is not invariant to the sign of ``vector``: when the seed's side of the split covers 3 or more
    corners, ``+v`` yields the other side and ``-v`` the seed's side. :class:`NCutCutter` therefore fixes the sign
    first (see its ``orientation``).
    """
    height, width = grid
    bipartition = vector > np.sum(vector) / vector.size
    seed = first_argmax(np.abs(vector), tie_rtol)
    grid_mask = bipartition.reshape(height, width)
    corners = int(grid_mask[0, 0]) + int(grid_mask[0, -1]) + int(grid_mask[-1, 0]) + int(grid_mask[-1, -1])
    if corners >= 3 or not bipartition[seed]:
        bipartition = np.logical_not(bipartition)
        vector = -vector
    return bipartition.reshape(height, width), vector, first_argmax(vector, tie_rtol)


def average_tied_entries(vector: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Replace every entry of ``vector`` by the mean over its group (nodes whose equations are identical), if that
    only removes round-off.

    Nodes ``i, j`` with identical rows in the graph have ``x_i = x_j`` in every generalised eigenvector whose
    eigenvalue differs from 1, the eigenvalue of ``e_i - e_j``; averaging then removes the solver's round-off, and
    makes the canonical orientation's tie-break (:data:`TIE_RTOL`) exact for them in float32 too. When the
    eigenvalue is 1 as well (a complete graph: every non-trivial eigenvalue is 1), the vector may legitimately
    differ within groups and its average can be meaningless (constant), so a vector that averaging would change by
    more than :data:`TIE_AVERAGE_RTOL` of its norm is returned unchanged.
    """
    _, groups = np.unique(groups, return_inverse=True)
    averaged = (np.bincount(groups, weights=vector) / np.bincount(groups))[groups]
    if np.linalg.norm(averaged - vector) > TIE_AVERAGE_RTOL * np.linalg.norm(vector):
        return vector
    return averaged


def is_clique(pattern: np.ndarray | torch.Tensor, active: np.ndarray) -> bool:
    """Whether the ``active`` nodes of a 0/1 ``pattern`` (``N x N``, 1 on the diagonal) are all linked to each
    other: one matrix-vector product counts each node's active neighbours, no sub-matrix is copied."""
    count = int(np.count_nonzero(active))
    if isinstance(pattern, torch.Tensor):
        weights = torch.from_numpy(active).to(pattern.device, pattern.dtype)
        neighbours = (pattern @ weights).cpu().numpy()
    else:
        pattern = pattern.astype(np.float32) if pattern.dtype == bool else pattern
        neighbours = pattern @ active.astype(pattern.dtype)
    return bool(np.all(neighbours[active] >= count - 0.5))


@GRAPH_CUTTERS.register_module()
class NCutCutter:
    """MaskCut's NCut bipartition of the patch graph (CutLER; CutS3D section 3.1).

    Args:
        tau: binarisation threshold of the cosine affinity (CutLER's MaskCut default 0.15).
        eps: weight of the edges below ``tau`` (MaskCut: 1e-5).
        solver: ``'fast'`` (default): matrix-free (float32 by default), ARPACK on the CPU, the batched LOBPCG when
            ``device`` is a GPU; ``'lobpcg'``: the batched torch LOBPCG on ``device`` whatever it is (CPU too);
            ``'dense'``: CutLER's float64 ``scipy.linalg.eigh`` call on the dense matrices, every cut from scratch
            (the reference). All give the same eigenvector up to sign and round-off.
        affinity_modifiers: configs (or built objects) from ``AFFINITY_MODIFIERS``, applied in order to the cosine
            affinity before binarisation, e.g. ``[dict(type='SpatialImportance')]`` for CutS3D. A modifier with
            ``claim_invariant = True`` (see :class:`~cuts3d.cutting.spatial_importance.SpatialImportance`) lets
            the fast solvers modify an image's affinity once for all its cuts; the last modifier may offer
            ``binarize(affinity, context, tau)``, a faster ``modifier(affinity, context) > tau``. Modifiers must
            keep the affinity symmetric (the solvers read its lower triangle, as the reference's ``eigh`` does).
        orientation: the sign of an eigenvector is arbitrary, and MaskCut's corner rule depends on it (see
            :func:`orient_bipartition`). ``'canonical'`` (default) flips ``v`` so that ``v[argmax |v|] > 0``
            before the rule and breaks near-ties of argmax by taking the first patch in row-major order
            (:data:`TIE_RTOL`): the result no longer depends on the solver, and the corner rule acts as CutLER
            intends (a seed side covering >= 3 corners is treated as background). ``'solver'`` keeps the solver's
            sign and plain ``argmax``; with ``solver='dense'`` this reproduces CutLER's MaskCut bit for bit,
            including the cases where LAPACK's sign lets a background frame through.
        claimed: ``'zero'`` (default, MaskCut): claimed patches stay in the graph with their features zeroed, so
            their edges are all ``eps``; ``'remove'`` (CutS3D's wording): the graph is the subgraph of the
            unclaimed patches. With ``'remove'`` the eigenvector entries of claimed patches are set to the mean
            of the others, i.e. exactly on the split, and they are never part of the bipartition.
        device: torch device of the ``'lobpcg'`` solver, and of ``'fast'`` when it is a GPU (set it to the
            feature extractor's device).
        precision: dtype of the fast solvers' pattern, products and vectors. ``'float32'`` (default) is about
            twice as fast; its eigenvector can put a node lying within float32 round-off of the split (about 1e-5
            of the largest entry) on the other side than the float64 reference does (2 single-node differences in
            210 cuts of 60 x 60 grids, none in the masks, docs/performance.md). ``'float64'`` decides those as the
            reference does.
        cache_size: images whose graphs are kept between cuts (:mod:`~cuts3d.cutting.image_graph_cache`); a
            :meth:`cut_batch` keeps at least its batch.
    """

    def __init__(self, tau: float = 0.15, eps: float = 1e-5, solver: str = 'fast',
                 affinity_modifiers: Sequence[dict | Any] = (), orientation: str = 'canonical',
                 claimed: str = 'zero', device: str = 'cpu', precision: str = 'float32', cache_size: int = 2) -> None:
        if solver not in NCUT_SOLVERS:
            raise ValueError(f'unknown NCut solver {solver!r}; choose one of {sorted(NCUT_SOLVERS)}')
        if orientation not in ORIENTATIONS:
            raise ValueError(f'unknown orientation {orientation!r}; choose one of {list(ORIENTATIONS)}')
        if claimed not in CLAIMED_MODES:
            raise ValueError(f'unknown claimed mode {claimed!r}; choose one of {list(CLAIMED_MODES)}')
        if precision not in PRECISIONS:
            raise ValueError(f'unknown precision {precision!r}; choose one of {list(PRECISIONS)}')
        if not eps > 0:
            raise ValueError(f'eps must be > 0 (it keeps the degree matrix invertible), got {eps}')
        self.tau = float(tau)
        self.eps = float(eps)
        self.solver = solver
        self.orientation = orientation
        self.claimed = claimed
        self.device = torch.device(device)
        self.precision = precision
        self.affinity_modifiers = [build_component(cfg, AFFINITY_MODIFIERS) for cfg in affinity_modifiers]
        self.graphs = ImageGraphCache(cache_size)

    @property
    def uses_torch(self) -> bool:
        """Whether the eigensolve runs in torch (batched LOBPCG) rather than ARPACK or dense LAPACK."""
        return self.solver == 'lobpcg' or (self.solver == 'fast' and self.device.type != 'cpu')

    @property
    def pattern_per_image(self) -> bool:
        """Whether an image's pattern can be built once and masked per cut (see ``affinity_modifiers``)."""
        return self.tau >= 0 and all(getattr(m, 'claim_invariant', False) for m in self.affinity_modifiers)

    def __getstate__(self) -> dict:
        """Pickle without the per-image cache (it holds weak references and device tensors)."""
        state = dict(self.__dict__)
        state['graphs'] = ImageGraphCache(self.graphs.capacity)
        return state

    def cut(self, feats: PatchFeatures, active: np.ndarray, context: CutContext) -> Cut | None:
        """Bipartition the patch graph of one image whose unclaimed patches are ``active``.

        As in MaskCut, claimed patches are not removed from the graph (with the default ``claimed='zero'``):
        their features are multiplied by 0, so their affinity rows become all ``eps``.

        Returns None when no patch is active, when ``'remove'`` leaves fewer than 3 nodes, and when the binarised
        graph of the active patches is one clique (every pair above ``tau``). A clique has no preferred cut: all
        eigenvalues after the first are equal, the "second" eigenvector is any vector of that eigenspace, and the
        solver returns one that depends on floating-point round-off (the same image gave different masks from run
        to run; a flooded graph, see :mod:`cuts3d.cutting.spatial_importance`, is the usual way to get one).
        """
        return self.cut_batch([(feats, active, context)])[0]

    def cut_batch(self, items: Sequence[CutItem]) -> list[Cut | None]:
        """:meth:`cut` for several ``(feats, active, context)`` items, typically one cut of each of several images.

        With the torch solver all graphs of the same size are solved in one batched call on ``device``; otherwise
        the items are cut one after another. The result of an item does not depend on the other items (on a GPU up
        to the round-off of the matmul kernels the library picks for a batch size). Consecutive cuts of one image
        reuse its graph (:mod:`~cuts3d.cutting.image_graph_cache`).
        """
        checked = [(feats, self._check_inputs(feats, active, context), context) for feats, active, context in items]
        cuts: list[Cut | None] = [None] * len(checked)
        fewest = 3 if self.claimed == 'remove' else 1  # a graph needs 3 nodes for a second smallest eigenvector
        todo = [index for index, (_, active, _) in enumerate(checked) if np.count_nonzero(active) >= fewest]
        if self.solver == 'dense':
            for index in todo:
                cuts[index] = self._dense_cut(*checked[index])
            return cuts
        graphs = {index: self.graphs.get(checked[index][0], checked[index][2],
                                         lambda item=checked[index]: self._image_graph(item[0], item[2]),
                                         keep=len(todo)) for index in todo}
        solve = self._solve_torch if self.uses_torch else self._solve_numpy
        for index, vector in solve({index: (checked[index], graphs[index]) for index in todo}).items():
            feats, active, context = checked[index]
            cuts[index] = None if vector is None else self._to_cut(vector, feats.grid, active, graphs[index].groups)
        return cuts

    def _dense_cut(self, feats: PatchFeatures, active: np.ndarray, context: CutContext) -> Cut | None:
        """The reference: the whole MaskCut graph of this cut in float64, CutLER's ``eigh``."""
        flat_active = active.reshape(-1)
        node_feats = self._node_feats(feats)
        if self.claimed == 'zero':
            node_feats = node_feats * flat_active.reshape(-1, 1)
        affinity = cosine_affinity(node_feats)
        for modifier in self.affinity_modifiers:
            affinity = modifier(affinity, context)
        if self.claimed == 'remove':
            affinity = affinity[np.ix_(flat_active, flat_active)]
        graph = binarize_affinity(affinity, self.tau, self.eps)
        if is_clique(graph >= 1.0, flat_active if self.claimed == 'zero' else np.ones(len(graph), bool)):
            return None
        if self.claimed == 'remove':
            vector = np.zeros(flat_active.size)
            vector[flat_active] = SECOND_EIGENVECTOR_SOLVERS['dense'](graph, degree(graph))
        else:
            vector = SECOND_EIGENVECTOR_SOLVERS['dense'](graph, degree(graph))
        return self._to_cut(vector, feats.grid, active, None)

    def _to_cut(self, vector: np.ndarray, grid: tuple[int, int], active: np.ndarray,
                groups: np.ndarray | None) -> Cut:
        """Orient an eigenvector (flat, any sign) into a :class:`Cut`."""
        vector = np.asarray(vector, dtype=np.float64)
        flat_active = active.reshape(-1)
        if groups is not None:
            # Claimed patches' rows are all eps ('zero') or absent ('remove'): one group either way.
            vector = average_tied_entries(vector, np.where(flat_active, groups, -1))
        if self.claimed == 'remove':
            vector = np.where(flat_active, vector, vector[flat_active].mean())
        tie_rtol = 0.0
        if self.orientation == 'canonical':
            tie_rtol = TIE_RTOL
            vector = vector if vector[first_argmax(np.abs(vector), tie_rtol)] > 0 else -vector
        bipartition, vector, seed = orient_bipartition(vector, grid, tie_rtol)
        if self.claimed == 'remove':
            bipartition &= active
        return Cut(bipartition=bipartition, eigenvector=vector.reshape(grid).astype(np.float32), seed=seed)

    @staticmethod
    def _node_feats(feats: PatchFeatures) -> np.ndarray:
        """Features as graph nodes, ``N x C`` (row-major patch order)."""
        return feats.feats.reshape(feats.feats.shape[0], -1).T

    def _pattern(self, node_feats: np.ndarray, context: CutContext) -> tuple[Any, np.ndarray]:
        """The solver's ``N x N`` 0/1 pattern in ``precision`` (a tensor on ``device`` for the torch solver) and the
        groups of identical rows (:func:`~cuts3d.cutting.image_graph_cache.identical_row_groups`).

        Cosine affinity, the modifiers, the threshold. Affinity modifiers work on numpy arrays on the CPU; without
        them the torch solver builds the pattern on its device.
        """
        numpy_dtype, torch_dtype = PRECISIONS[self.precision]
        if self.uses_torch and not self.affinity_modifiers:
            unit = torch.nn.functional.normalize(torch.from_numpy(node_feats).to(self.device), dim=1, eps=NORM_EPS)
            pattern = (unit @ unit.T) > self.tau
            groups = torch.unique(pattern.to(torch.uint8), dim=0, return_inverse=True)[1]
            return pattern.to(torch_dtype), groups.cpu().numpy()
        affinity = cosine_affinity(node_feats)
        modifiers = self.affinity_modifiers
        for modifier in modifiers[:-1]:
            affinity = modifier(affinity, context)
        if modifiers and hasattr(modifiers[-1], 'binarize'):
            pattern = modifiers[-1].binarize(affinity, context, self.tau)
        else:
            pattern = affinity_pattern(modifiers[-1](affinity, context) if modifiers else affinity, self.tau)
        groups = identical_row_groups(pattern)
        if self.uses_torch:
            return torch.from_numpy(pattern).to(self.device, torch_dtype), groups
        return pattern.astype(numpy_dtype), groups

    def _image_graph(self, feats: PatchFeatures, context: CutContext) -> ImageGraph:
        """An image's cached state; its pattern only if it serves every cut (:attr:`pattern_per_image`)."""
        if not self.pattern_per_image:
            return ImageGraph(pattern=None, groups=None)
        pattern, groups = self._pattern(self._node_feats(feats), context)
        return ImageGraph(pattern=pattern, groups=groups)

    def _cut_graph(self, feats: PatchFeatures, active: np.ndarray, context: CutContext,
                   image: ImageGraph) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray]:
        """``(pattern, active, nodes, groups)`` of one cut; the pattern is rebuilt when it cannot be cached."""
        flat_active = active.reshape(-1)
        nodes = flat_active if self.claimed == 'remove' else np.ones_like(flat_active)
        if image.pattern is not None:
            return image.pattern, flat_active, nodes, image.groups
        node_feats = self._node_feats(feats)
        if self.claimed == 'zero':
            node_feats = node_feats * flat_active.reshape(-1, 1)
        pattern, groups = self._pattern(node_feats, context)
        # The rebuilt pattern already is this cut's graph ('zero') or is restricted by its nodes ('remove').
        return pattern, nodes.copy(), nodes, groups

    def _graphs_to_solve(self, work: dict[int, tuple[CutItem, ImageGraph]],
                         vectors: dict[int, np.ndarray | None]) -> Iterator[tuple[int, tuple, ImageGraph]]:
        """``(index, (pattern, active, nodes), image)`` of every item whose graph has a cut; an item whose active
        patches form one clique gets the vector None in ``vectors`` instead (see :meth:`cut`)."""
        for index, ((feats, active, context), image) in work.items():
            pattern, edges_active, nodes, groups = self._cut_graph(feats, active, context, image)
            if image.pattern is None:
                image.groups = groups
            if is_clique(pattern, active.reshape(-1)):
                vectors[index] = None
            else:
                yield index, (pattern, edges_active, nodes), image

    def _solve_numpy(self, work: dict[int, tuple[CutItem, ImageGraph]]) -> dict[int, np.ndarray | None]:
        vectors: dict[int, np.ndarray | None] = {}
        for index, (pattern, edges_active, nodes), image in self._graphs_to_solve(work, vectors):
            vectors[index], image.start = pattern_second_eigenvector(
                PatternGraph(pattern, self.eps, edges_active, nodes), image.start)
        return vectors

    def _solve_torch(self, work: dict[int, tuple[CutItem, ImageGraph]]) -> dict[int, np.ndarray | None]:
        """One batched LOBPCG per graph size (images of one batch normally share their grid)."""
        by_size: dict[int, list[tuple[int, tuple, ImageGraph]]] = {}
        vectors: dict[int, np.ndarray | None] = {}
        for index, graph, image in self._graphs_to_solve(work, vectors):
            by_size.setdefault(graph[1].size, []).append((index, graph, image))
        for group in by_size.values():
            patterns, actives, nodes = zip(*(graph for _, graph, _ in group))
            graph = BatchedPatternGraph(torch.stack(patterns), self.eps, self._to_device(actives),
                                        self._to_device(nodes))
            starts = [image.start for _, _, image in group]
            warm = not any(start is None for start in starts)
            solved, blocks = batched_second_eigenvectors(graph, torch.stack(starts) if warm else None)
            solved = solved.cpu().numpy()
            for row, (index, _, image) in enumerate(group):
                vectors[index] = solved[row]
                image.start = blocks[row]
        return vectors

    def _to_device(self, masks: Sequence[np.ndarray]) -> torch.Tensor:
        return torch.from_numpy(np.stack(masks)).to(self.device)

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
