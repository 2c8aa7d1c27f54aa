"""mmdet's ``PackDetInputs`` that also hands each ground-truth instance's pseudo-mask score to the model."""
from __future__ import annotations

import torch
from mmdet.datasets.transforms import PackDetInputs

from cuts3d.registry import TRANSFORMS

from ...structures.spatial_confidence_masks import SpatialConfidenceMasks


@TRANSFORMS.register_module()
class PackPseudoMaskInputs(PackDetInputs):
    """Pack like ``PackDetInputs``; the masks keep their Spatial Confidence and the scores become a field.

    After packing, ``data_samples.gt_instances`` (and ``ignored_instances``) hold

    - ``masks``: the :class:`SpatialConfidenceMasks` (binary masks for every stock mmdet use; ``masks.confidence()``
      gives the SC maps, aligned with the masks through every transform and through the data preprocessor's
      mask padding, which a separate field would miss);
    - ``scores``: float32 tensor, one score (mean SC) per instance, for score-weighted (soft-target) losses.

    Args:
        require_confidence: raise when ``gt_masks`` are plain ``BitmapMasks`` (the pipeline lacks
            ``LoadSpatialConfidence``, or a transform rebuilt the masks and dropped the SC). With False such
            masks are packed as they are and ``scores`` is all ones.
        **kwargs: ``PackDetInputs`` arguments (``meta_keys``).

    Raises:
        TypeError: see ``require_confidence``.
    """

    def __init__(self, require_confidence: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.require_confidence = require_confidence

    def transform(self, results: dict) -> dict:
        masks = results.get('gt_masks')
        if masks is not None and self.require_confidence and not isinstance(masks, SpatialConfidenceMasks):
            raise TypeError(f'gt_masks reached PackPseudoMaskInputs as {type(masks).__name__}, without Spatial '
                            'Confidence: add LoadSpatialConfidence after LoadAnnotations, and use cuts3d copy-paste '
                            'transforms instead of mmdet ones that rebuild the masks (CopyPaste, Mosaic, MixUp)')
        packed = super().transform(results)
        if masks is None:
            return packed
        for instances in (packed['data_samples'].gt_instances, packed['data_samples'].ignored_instances):
            if 'masks' not in instances:
                continue
            if isinstance(instances.masks, SpatialConfidenceMasks):
                instances.scores = torch.from_numpy(instances.masks.scores.copy())
            else:
                instances.scores = torch.ones(len(instances.masks))
        return packed

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(require_confidence={self.require_confidence}, meta_keys={self.meta_keys})'
