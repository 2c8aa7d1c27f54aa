"""Instance masks that carry each instance's Spatial Confidence map and score through mmdet's data pipeline.

Why a subclass of mmdet's ``BitmapMasks`` (and not a second results key): every mmdet transform that moves or drops
instances does it through ``results['gt_masks']`` - ``Resize`` calls ``rescale``/``resize``, ``RandomFlip`` calls
``flip``, ``RandomCrop`` calls ``crop`` *and* indexes the masks with the boxes it keeps, ``Pad`` calls ``pad``,
``FilterAnnotations`` indexes, ``PackDetInputs`` indexes by the ignore flags, ``DetDataPreprocessor`` pads again.
A structure that *is* the masks gets every one of those calls, so the Spatial Confidence (SC) map and the score of
instance ``i`` stay attached to mask ``i`` without re-implementing any transform; a separate results key would be
silently left behind by each transform that filters instances. The price: transforms that rebuild a plain
``BitmapMasks`` from raw arrays (mmdet's ``CopyPaste``, ``Mosaic``, ``MixUp``) or write into ``.masks`` in place
(``RandomErasing``) drop or ignore the SC; use :mod:`cuts3d.datasets.transforms`' copy-paste instead of mmdet's.

Storage: the binary masks stay ``uint8 N x H x W`` in ``.masks`` (what stock mmdet code reads); the SC is stored
exactly as the pseudo-mask file holds it, as a ``uint8`` level count ``k`` per pixel with ``SC = k / T`` and ``T``
per instance (``num_levels``), so nearest-neighbour resizing keeps SC on its levels, the maps cost one byte per
pixel like the masks, and instances from files with different ``T`` (or none) can be mixed. The level map of a
file's entry comes from :func:`cuts3d.structures.rle.decode_confidence_levels`.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from mmdet.structures.mask import BitmapMasks

from .rle import MAX_LEVELS


class SpatialConfidenceMasks(BitmapMasks):
    """``BitmapMasks`` plus a Spatial Confidence level map, a level count, a score and a mean SC per instance.

    ``scores`` and ``sc_means`` are kept apart on purpose: ``scores`` is the annotation's ``score``, which is the
    mean SC for a pseudo-mask but a *detection* score for a model prediction added by self-training (what CuVLER's
    soft targets weight by); ``sc_means`` is always the mean Spatial Confidence inside the mask (what CutS3D's
    confident copy-paste ranks by, paper sec. 3.4), 1 for masks without an SC map (CutLER pseudo-masks, model
    predictions: SC = 1 inside the mask, as the SC loss and alpha blending also treat them).

    Args:
        masks: binary masks ``N x H x W`` (any integer/bool dtype; stored as given, like ``BitmapMasks``).
        height, width: mask size.
        sc_levels: ``uint8 N x H x W``, ``SC = sc_levels / num_levels`` per instance. None: SC = 1 inside the
            mask and 0 outside (CutLER pseudo-masks, which have no SC).
        num_levels: ``T`` per instance (``N`` ints in ``1..255``); None: all 1.
        scores: per-instance score (the annotation's ``score``); None: all 1.
        sc_means: per-instance mean SC inside the mask; None: computed from the level maps (1 for an empty mask).
    """

    def __init__(self, masks: np.ndarray | list, height: int, width: int, sc_levels: np.ndarray | None = None,
                 num_levels: Sequence[int] | np.ndarray | None = None,
                 scores: Sequence[float] | np.ndarray | None = None,
                 sc_means: Sequence[float] | np.ndarray | None = None) -> None:
        super().__init__(masks, height, width)
        count = len(self.masks)
        if sc_levels is None:
            sc_levels = (self.masks > 0).astype(np.uint8)
        self.sc_levels = np.asarray(sc_levels, dtype=np.uint8).reshape(-1, height, width)
        self.num_levels = np.ones(count, np.int32) if num_levels is None else np.asarray(num_levels, np.int32)
        self.scores = np.ones(count, np.float32) if scores is None else np.asarray(scores, np.float32)
        self.num_levels = self.num_levels.reshape(-1)
        self.scores = self.scores.reshape(-1)
        if not (len(self.sc_levels) == len(self.num_levels) == len(self.scores) == count):
            raise ValueError(f'SpatialConfidenceMasks needs one SC map, level count and score per mask: got '
                             f'{count} masks, {len(self.sc_levels)} maps, {len(self.num_levels)} level counts, '
                             f'{len(self.scores)} scores')
        self.sc_means = self._mean_confidence() if sc_means is None else np.asarray(sc_means, np.float32).reshape(-1)
        if len(self.sc_means) != count:
            raise ValueError(f'SpatialConfidenceMasks needs one mean SC per mask: got {count} masks and '
                             f'{len(self.sc_means)} means')
        if count and (self.num_levels.min() < 1 or self.num_levels.max() > MAX_LEVELS):
            raise ValueError(f'level counts must lie in 1..{MAX_LEVELS}; got {self.num_levels.tolist()}')

    # -- views ---------------------------------------------------------------------------------------------------

    def confidence(self) -> np.ndarray:
        """The Spatial Confidence maps as float32 ``N x H x W`` in [0, 1] (``sc_levels / num_levels``)."""
        return self.sc_levels.astype(np.float32) / self.num_levels.astype(np.float32)[:, None, None]

    def _mean_confidence(self) -> np.ndarray:
        """Mean SC inside each mask (1 for an empty mask)."""
        count = len(self.masks)
        inside = (self.masks > 0).reshape(count, self.height * self.width)
        levels = self.sc_levels.reshape(count, self.height * self.width).astype(np.float64)
        area = inside.sum(axis=1)
        total = (levels * inside).sum(axis=1) / np.maximum(self.num_levels, 1)
        return np.where(area > 0, total / np.maximum(area, 1), 1.0).astype(np.float32)

    def to_bitmap_masks(self) -> BitmapMasks:
        """The binary masks alone, as a plain ``BitmapMasks``."""
        return BitmapMasks(self.masks, self.height, self.width)

    def _level_masks(self) -> BitmapMasks:
        return BitmapMasks(self.sc_levels, self.height, self.width)

    def _combine(self, binary: BitmapMasks, levels: BitmapMasks) -> SpatialConfidenceMasks:
        """Reassemble after one geometric op was applied to the masks and, identically, to the level maps."""
        return SpatialConfidenceMasks(binary.masks, binary.height, binary.width, levels.masks, self.num_levels,
                                      self.scores, self.sc_means)

    # -- instance selection --------------------------------------------------------------------------------------

    def __getitem__(self, index: Any) -> SpatialConfidenceMasks:
        """Index like ``BitmapMasks`` (int, slice, int or bool array); SC, level counts and scores follow."""
        masks = self.masks[index].reshape(-1, self.height, self.width)
        levels = self.sc_levels[index].reshape(-1, self.height, self.width)
        return SpatialConfidenceMasks(masks, self.height, self.width, levels, self.num_levels[index],
                                      self.scores[index], self.sc_means[index])

    @classmethod
    def cat(cls, masks: Sequence[SpatialConfidenceMasks]) -> SpatialConfidenceMasks:
        """Concatenate along the instance axis (all parts must be ``SpatialConfidenceMasks`` of one size)."""
        if len(masks) == 0:
            raise ValueError('masks should not be an empty list.')
        if not all(isinstance(m, cls) for m in masks):
            raise TypeError(f'{cls.__name__}.cat needs {cls.__name__} parts; got {[type(m).__name__ for m in masks]}')
        height, width = masks[0].height, masks[0].width
        if any((m.height, m.width) != (height, width) for m in masks):
            raise ValueError(f'cannot concatenate masks of sizes {[(m.height, m.width) for m in masks]}')
        return cls(np.concatenate([m.masks for m in masks]), height, width,
                   np.concatenate([m.sc_levels for m in masks]), np.concatenate([m.num_levels for m in masks]),
                   np.concatenate([m.scores for m in masks]), np.concatenate([m.sc_means for m in masks]))

    def erase(self, region: np.ndarray) -> SpatialConfidenceMasks:
        """Masks and SC with ``region`` (bool ``H x W``) set to 0: what is left of instances occluded there."""
        keep = ~np.asarray(region, dtype=bool)
        return SpatialConfidenceMasks(self.masks * keep, self.height, self.width, self.sc_levels * keep,
                                      self.num_levels, self.scores, self.sc_means)

    # -- geometric ops: the same BitmapMasks op on the masks and on the level maps -------------------------------

    def rescale(self, scale, interpolation='nearest'):
        return self._combine(super().rescale(scale, interpolation), self._level_masks().rescale(scale, interpolation))

    def resize(self, out_shape, interpolation='nearest'):
        return self._combine(super().resize(out_shape, interpolation),
                             self._level_masks().resize(out_shape, interpolation))

    def flip(self, flip_direction='horizontal'):
        return self._combine(super().flip(flip_direction), self._level_masks().flip(flip_direction))

    def pad(self, out_shape, pad_val=0):
        # Padded pixels carry no Spatial Confidence, whatever value pads the masks.
        return self._combine(super().pad(out_shape, pad_val), self._level_masks().pad(out_shape, 0))

    def crop(self, bbox):
        return self._combine(super().crop(bbox), self._level_masks().crop(bbox))

    def expand(self, expanded_h, expanded_w, top, left):
        return self._combine(super().expand(expanded_h, expanded_w, top, left),
                             self._level_masks().expand(expanded_h, expanded_w, top, left))

    def translate(self, out_shape, offset, direction='horizontal', border_value=0, interpolation='bilinear'):
        return self._combine(super().translate(out_shape, offset, direction, border_value, interpolation),
                             self._level_masks().translate(out_shape, offset, direction, 0, interpolation))

    def shear(self, out_shape, magnitude, direction='horizontal', border_value=0, interpolation='bilinear'):
        return self._combine(super().shear(out_shape, magnitude, direction, border_value, interpolation),
                             self._level_masks().shear(out_shape, magnitude, direction, 0, interpolation))

    def rotate(self, out_shape, angle, center=None, scale=1.0, border_value=0, interpolation='bilinear'):
        return self._combine(super().rotate(out_shape, angle, center, scale, border_value, interpolation),
                             self._level_masks().rotate(out_shape, angle, center, scale, 0, interpolation))
