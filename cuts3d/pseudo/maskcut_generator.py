"""The MaskCut loop (CutLER) and its CutS3D variant as one registered generator over pluggable components.

Per image: patch features once, depth once (CutS3D), then up to ``num_cuts`` rounds of
*graph cut -> partition -> confidence* on the patch grid, each round blind to the patches claimed before it, and
finally each instance is refined at the feature input size and resized to the image. The rules of the loop are
those of CutLER's reference ``maskcut.py`` (``docs/reference.md``, "MaskCut"), checked line by line:

* ``active`` (what the cutter may cut) is every patch not claimed by an earlier kept mask; the reference zeroes
  the claimed patches' features and solves the full problem again, which is the cutter's business
  (``NCutCutter(claimed='remove')`` removes them from the graph instead, as the CutS3D paper says).
* From the second cut on, a mask is dropped when its IoU with the *previous cut's* mask is > ``max_iou`` (0.5) or
  it covers <= ``min_area_frac`` (1%) of the grid. The first cut is never dropped.
* A dropped cut claims nothing, and it becomes the "previous mask" as an **empty** mask: the reference sets
  ``current_mask`` to zeros, so the next cut (which, with nothing newly claimed, usually finds the same mask
  again) is compared with an empty mask, has IoU 0, and is kept if it is larger than ``min_area_frac``.
  This generator reproduces that exactly, so patch masks match the reference's. With ``claim_dropped`` (CutS3D's
  config) a cut dropped by the IoU rule claims its patches instead: it is an earlier object found again, and the
  next cut should look elsewhere rather than keep that object's leftover fringe.
* IoU and area are measured on the partitioner's mask *before* claimed patches are removed; the kept instance is
  that mask minus the patches claimed earlier (``bipartition_masked`` in the reference), and the whole mask is
  added to the claimed set. An instance left empty is skipped (the reference's ``area < 1`` check). For the rule
  to mean anything the partitioner must be able to reach claimed patches: MaskCut's 2D component does through the
  bipartition, and LocalCut keeps the claimed patches in its point cloud (only its source must be unclaimed), so a
  cut that finds an earlier object again grows back into it and is dropped.

CutS3D adds ``stop_on_rest`` (sec. 3.1): from the second cut on, when the NCut *bipartition* is "the rest", the
complement of all masks so far (its unclaimed part has IoU >= ``rest_iou`` with the unclaimed patches, or it has
no unclaimed patch at all, which is the same split seen from the other side), the loop ends without keeping it.
The paper tests what NCut predicts, not what LocalCut cuts out of it. CutS3D also needs depth:
``depth_source`` is called once per image on the original image, pooled to the patch grid by
:func:`cuts3d.cutting.point_cloud.depth_to_grid` (``depth_reduce``; patches without any valid depth are filled from
their neighbours, an image without any valid depth raises ``ValueError``) and handed to the components in
:attr:`CutContext.depth`. Without a ``depth_source`` the context's depth is None and a component that needs depth
(LocalCut, Spatial Importance) raises its own ``ValueError`` saying so.

Each kept instance: patch mask -> nearest upsampling to the feature input size -> ``refiner`` on the resized image
(the CRF runs at 480 x 480, as in the reference; a refiner with ``uses_depth`` also gets the depth map at that size)
-> resize to the image size (PIL bicubic on 0/255 thresholded at 127.5, as the reference writes its masks; a refiner
returning None, or an empty result, drops the instance): :func:`cuts3d.pseudo.mask_refinement.refine_to_image`.
With ``align_confidence`` (default) the patch-grid confidence map is upsampled bilinearly to the image size from the
instance's own patches (so the zeros around the instance do not dilute its border, and a constant confidence stays
constant:
:func:`cuts3d.utils.mask_ops.confidence_to_image`), clipped to [0, 1] and set to 0 outside the final mask; without
it (CutS3D Table 5d) the map stays "patchy", the grid map upsampled by nearest neighbour, not cut to the mask.
``score`` is its mean inside the mask (patchy: inside the map's own support).

What happened to every cut of the last image is in :attr:`cut_log` (a kept instance's ``provenance`` holds the
same entry): ``cut_index``, ``decision`` (:data:`DECISIONS`), ``seed``, ``rest_iou`` (when tested),
``area_frac`` and ``iou_previous`` (the rule's inputs) and, from LocalCut, ``source``, ``sink``, ``trivial``,
``sink_unreachable``, ``points``. Per-stage seconds of the last image are in :attr:`timings`.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..cutting.point_cloud import DEPTH_REDUCTIONS, depth_to_grid
from ..registry import (CONFIDENCE_ESTIMATORS, DEPTH_SOURCES, FEATURE_EXTRACTORS, GRAPH_CUTTERS, MASK_REFINERS,
                        PARTITIONERS, PSEUDO_MASK_GENERATORS, build_component)
from ..structures import Cut, CutContext, Instance, PatchFeatures
from ..utils.blas_threads import single_blas_thread
from ..utils.mask_ops import confidence_to_image, mask_iou, resize_rgb, upsample_nearest_values
from ..utils.timing import StageTimer
from .mask_refinement import refine_to_image

STAGES = ('features', 'depth', 'cut', 'partition', 'confidence', 'refine')
# What became of a cut (``cut_log[i]['decision']``): kept; dropped for IoU > max_iou with the previous cut's mask
# (``iou_previous``), for covering <= min_area_frac of the grid (``area_frac``), or because every patch of it was
# claimed already; the loop stopped because the cut was the rest of the image (``rest_iou``) or the cutter found
# nothing left to cut; or the refiner (CRF) left the mask empty or rejected it.
DECISIONS = ('kept', 'dropped_iou', 'dropped_small', 'dropped_claimed', 'stopped_rest', 'stopped_no_cut',
             'empty_after_crf')


def _grid_array(array: Any, grid: tuple[int, int], what: str, dtype: type) -> np.ndarray:
    """``array`` as ``dtype`` on the patch grid, or a ValueError naming the component that got the shape wrong."""
    array = np.asarray(array, dtype=dtype)
    if array.shape != tuple(grid):
        raise ValueError(f'{what} returned shape {array.shape}; expected the patch grid {tuple(grid)}')
    return array


def _eigenvector_stats(cut: Cut) -> dict[str, float]:
    v = np.asarray(cut.eigenvector, dtype=np.float64)
    return {'min': float(v.min()), 'max': float(v.max()), 'mean': float(v.mean()), 'std': float(v.std())}


@PSEUDO_MASK_GENERATORS.register_module()
class MaskCutGenerator:
    """MaskCut's N-cut loop over registered components; ``__call__(image, meta) -> list[Instance]``.

    Args:
        feature_extractor: FEATURE_EXTRACTORS config (or object): image -> :class:`PatchFeatures`.
        depth_source: DEPTH_SOURCES config, or None for CutLER (no depth).
        cutter: GRAPH_CUTTERS config (``NCutCutter``).
        partitioner: PARTITIONERS config (``ConnectedComponent2D`` = CutLER, ``LocalCut`` = CutS3D).
        confidence: CONFIDENCE_ESTIMATORS config, built with ``partitioner=`` this generator's partitioner.
        refiner: MASK_REFINERS config (``DenseCRF`` as the reference, ``NoRefiner`` for none).
        num_cuts: cuts per image (MaskCut's N = 3); dropped cuts count.
        max_iou: drop a mask whose IoU with the previous cut's mask is above this (reference 0.5).
        min_area_frac: drop a mask covering at most this fraction of the patch grid (reference 0.01).
        stop_on_rest: CutS3D: stop when the NCut bipartition is the rest of the image (from the second cut on).
        rest_iou: a bipartition is "the rest" when its IoU with the unclaimed patches is at least this
            (*unverified*: the paper says "equals"; 0.95 tolerates a few stray patches).
        depth_reduce: how depth is pooled to the patch grid, ``'median'`` or ``'bilinear'`` (paper-literal).
        claim_dropped: a cut dropped by the IoU rule claims its patches (False: MaskCut's reference, it claims
            nothing and the same cut usually comes back next time).
        align_confidence: cut the confidence map to the refined mask, interpolating at its border (default); False
            keeps the patchy grid map (CutS3D Table 5d, "without" alignment).
    """

    def __init__(self, feature_extractor: dict | Any, depth_source: dict | Any | None = None, *,
                 cutter: dict | Any, partitioner: dict | Any, confidence: dict | Any, refiner: dict | Any,
                 num_cuts: int = 3, max_iou: float = 0.5, min_area_frac: float = 0.01, stop_on_rest: bool = False,
                 rest_iou: float = 0.95, depth_reduce: str = 'median', claim_dropped: bool = False,
                 align_confidence: bool = True) -> None:
        if num_cuts < 1:
            raise ValueError(f'num_cuts must be >= 1, got {num_cuts}')
        if not 0 <= max_iou <= 1:
            raise ValueError(f'max_iou must be in [0, 1], got {max_iou}')
        if not 0 <= min_area_frac < 1:
            raise ValueError(f'min_area_frac must be in [0, 1), got {min_area_frac}')
        if not 0 < rest_iou <= 1:
            raise ValueError(f'rest_iou must be in (0, 1], got {rest_iou}')
        if depth_reduce not in DEPTH_REDUCTIONS:
            raise ValueError(f'unknown depth_reduce {depth_reduce!r}; choose one of {DEPTH_REDUCTIONS}')
        self.feature_extractor = build_component(feature_extractor, FEATURE_EXTRACTORS)
        self.depth_source = None if depth_source is None else build_component(depth_source, DEPTH_SOURCES)
        self.cutter = build_component(cutter, GRAPH_CUTTERS)
        self.partitioner = build_component(partitioner, PARTITIONERS)
        self.confidence = build_component(confidence, CONFIDENCE_ESTIMATORS, partitioner=self.partitioner)
        self.refiner = build_component(refiner, MASK_REFINERS)
        self.num_cuts = int(num_cuts)
        self.max_iou = float(max_iou)
        self.min_area_frac = float(min_area_frac)
        self.stop_on_rest = bool(stop_on_rest)
        self.rest_iou = float(rest_iou)
        self.depth_reduce = depth_reduce
        self.claim_dropped = bool(claim_dropped)
        self.align_confidence = bool(align_confidence)
        self._timer = StageTimer()
        self._cut_log: list[dict[str, Any]] = []

    @property
    def timings(self) -> dict[str, float]:
        """Seconds per stage (:data:`STAGES`) spent on the last image; ``'cut'`` is affinity + eigensolve."""
        return {stage: self._timer.seconds.get(stage, 0.0) for stage in STAGES}

    @property
    def cut_log(self) -> list[dict[str, Any]]:
        """What happened to each cut of the last image, in order: its provenance, ``decision`` included."""
        return [dict(entry) for entry in self._cut_log]

    def __call__(self, image: np.ndarray, meta: dict | None = None) -> list[Instance]:
        """Pseudo-masks of one RGB uint8 image, at its size; ``meta`` (``img_path``, ``rel_path``) for depth."""
        meta = {} if meta is None else meta
        self._timer.reset()
        with self._timer('features'):
            feats = self.feature_extractor(image)
        with self._timer('depth'):
            depth = self.depth_map(image, meta)
        return self.cut_image(resize_rgb(image, feats.input_size), image.shape[:2], feats, depth)

    def depth_map(self, image: np.ndarray, meta: dict) -> np.ndarray | None:
        """The depth source's map of the image (float32 ``H x W``), or None without a depth source."""
        if self.depth_source is None:
            return None
        return self.check_depth(self.depth_source(image, meta), image.shape[:2])

    def check_depth(self, depth: Any, size: tuple[int, int]) -> np.ndarray:
        """The depth source's output for an image of ``size = (H, W)`` as float32, or a ValueError naming it."""
        depth = np.asarray(depth, dtype=np.float32)
        if depth.shape != tuple(size):
            raise ValueError(f'depth source {type(self.depth_source).__name__} returned shape {depth.shape} '
                             f'for an image of {tuple(size)}')
        return depth

    def cut_image(self, resized: np.ndarray, size: tuple[int, int], feats: PatchFeatures,
                  depth: np.ndarray | None) -> list[Instance]:
        """Everything after features and depth: the N-cut loop on the patch grid and each instance's refinement.

        ``resized`` is the image at ``feats.input_size`` (the features' input, where the CRF runs), ``size`` the
        image's ``(H, W)``, ``depth`` its :meth:`depth_map`. :meth:`__call__` is features, depth, then this; the
        pipelined runner computes features and depth of several images on their device and calls this in a worker
        process. Stage seconds add to :attr:`timings` (reset by :meth:`__call__`). It runs with one BLAS thread
        (:func:`~cuts3d.utils.blas_threads.single_blas_thread`): the masks do not depend on the thread count.
        """
        with single_blas_thread():
            return self._cut_image(resized, size, feats, depth)

    def _cut_image(self, resized: np.ndarray, size: tuple[int, int], feats: PatchFeatures,
                   depth: np.ndarray | None) -> list[Instance]:
        self._cut_log = []
        with self._timer('depth'):
            grid_depth = None if depth is None else depth_to_grid(depth, feats.grid, reduce=self.depth_reduce)
        context = CutContext(image=resized, grid=feats.grid, depth=grid_depth,
                             claimed=np.zeros(feats.grid, dtype=bool))
        refine_depth = None
        if getattr(self.refiner, 'uses_depth', False):
            if depth is None:
                raise ValueError(f'refiner {type(self.refiner).__name__} compares depth, but the generator has no '
                                 'depth_source')
            refine_depth = upsample_nearest_values(depth, resized.shape[:2])
        instances = []
        for entry, cut, patch_mask, confidence in self._cut_loop(feats, context):
            instance = self._to_image(entry, cut, patch_mask, confidence, resized, size, refine_depth)
            if instance is None:
                entry['decision'] = 'empty_after_crf'
            else:
                instances.append(instance)
        return instances

    def _is_rest(self, bipartition: np.ndarray, claimed: np.ndarray) -> tuple[bool, float]:
        """Whether the NCut bipartition is "the rest", everything not claimed yet (CutS3D's stop criterion), and
        its IoU with the rest.

        The bipartition's unclaimed part is compared with the unclaimed patches (claimed patches keep no features
        and say nothing). A foreground side without any unclaimed patch is the same split seen from the other
        side (claimed | rest): the rest again.
        """
        rest = ~claimed
        free = bipartition & rest
        if not rest.any():
            return True, 1.0
        iou = mask_iou(free, rest)
        return iou >= self.rest_iou or not free.any(), iou

    def _cut_loop(self, feats: PatchFeatures, context: CutContext) -> list[tuple[dict, Cut, np.ndarray, np.ndarray]]:
        """The N-cut loop on the patch grid: ``(log entry, cut, instance h x w, confidence h x w)`` per kept cut.

        Every cut gets an entry in :attr:`cut_log` whose ``decision`` says what became of it.
        """
        grid = feats.grid
        claimed = np.zeros(grid, dtype=bool)
        previous = np.zeros(grid, dtype=bool)
        kept = []
        for index in range(self.num_cuts):
            entry: dict[str, Any] = {'cut_index': index}
            self._cut_log.append(entry)
            context.claimed = claimed.copy()
            context.extras.pop('local_cut', None)
            with self._timer('cut'):
                cut = self.cutter.cut(feats, ~claimed, context)
            if cut is None:
                entry['decision'] = 'stopped_no_cut'
                break
            entry['seed'] = int(cut.seed)
            if self.stop_on_rest and index > 0:
                is_rest, entry['rest_iou'] = self._is_rest(np.asarray(cut.bipartition, dtype=bool), claimed)
                if is_rest:
                    entry['decision'] = 'stopped_rest'
                    break
            with self._timer('partition'):
                mask = _grid_array(self.partitioner(cut, context), grid, type(self.partitioner).__name__, bool)
            entry.update(context.extras.get('local_cut', {}))
            entry['area_frac'] = float(mask.mean())
            if index > 0:
                entry['iou_previous'] = mask_iou(mask, previous)
                if entry['iou_previous'] > self.max_iou or entry['area_frac'] <= self.min_area_frac:
                    entry['decision'] = 'dropped_iou' if entry['iou_previous'] > self.max_iou else 'dropped_small'
                    if self.claim_dropped and entry['decision'] == 'dropped_iou':
                        claimed = claimed | mask
                    previous = np.zeros(grid, dtype=bool)
                    continue
            previous = mask
            instance = mask & ~claimed
            claimed = claimed | mask
            if not instance.any():
                entry['decision'] = 'dropped_claimed'
                continue
            with self._timer('confidence'):
                confidence = _grid_array(self.confidence(cut, instance, context), grid,
                                         type(self.confidence).__name__, np.float32)
            entry['decision'] = 'kept'
            kept.append((entry, cut, instance, confidence))
        return kept

    def _to_image(self, entry: dict, cut: Cut, patch_mask: np.ndarray, confidence: np.ndarray,
                  resized: np.ndarray, size: tuple[int, int], depth: np.ndarray | None) -> Instance | None:
        """Refine one patch-grid instance at the feature input size and bring it to the image size."""
        with self._timer('refine'):
            mask = refine_to_image(self.refiner, resized, patch_mask, size, depth)
        if mask is None:
            return None
        if self.align_confidence:
            sc_map = confidence_to_image(confidence, patch_mask, mask)
        else:
            sc_map = np.clip(upsample_nearest_values(confidence, size), 0.0, 1.0).astype(np.float32)
        provenance = dict(entry, patch_area=int(patch_mask.sum()), eigenvector=_eigenvector_stats(cut))
        levels = getattr(self.confidence, 'levels', None)
        if levels is not None:
            provenance['confidence_levels'] = int(levels)
        support = mask if self.align_confidence or not (sc_map > 0).any() else sc_map > 0
        return Instance(mask=mask, confidence=sc_map, score=float(sc_map[support].mean()), provenance=provenance)
