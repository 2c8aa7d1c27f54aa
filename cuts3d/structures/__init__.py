"""The data that flows between the project's components, and its json encoding: the bottom of the dependency order.

Nothing here imports another cuts3d package. Arrays are numpy; images are RGB uint8 ``H x W x 3``; patch grids are
``h x w`` and flattened row-major (index ``i = row * w + col``) wherever a component works on graph nodes
(``docs/design.md``, "Component contracts" and "Data formats").

- :class:`PatchFeatures`, :class:`Cut`, :class:`CutContext`, :class:`Instance`: the extraction stage's data.
- :mod:`.rle` and :mod:`.coco`: masks and Spatial Confidence maps as COCO json, ``FG_CATEGORY``.
- :mod:`.spatial_confidence_masks`: ``SpatialConfidenceMasks``, mmdet ``BitmapMasks`` that carry Spatial
  Confidence through the training pipeline. Not imported here: it loads mmdet's structures, which extraction does
  not need; import it from its module.
"""
from .coco import FG_CATEGORY, mask_fields
from .cut import Cut, CutContext
from .instance import Instance
from .patch_features import PatchFeatures
from .rle import (MAX_LEVELS, SegmentationError, compressed_rle, decode_confidence_levels, decode_mask,
                  decode_spatial_confidence, encode_mask, encode_spatial_confidence, json_rle)

__all__ = [
    'FG_CATEGORY', 'MAX_LEVELS', 'Cut', 'CutContext', 'Instance', 'PatchFeatures', 'SegmentationError',
    'compressed_rle', 'decode_confidence_levels', 'decode_mask', 'decode_spatial_confidence', 'encode_mask',
    'encode_spatial_confidence', 'json_rle', 'mask_fields'
]
