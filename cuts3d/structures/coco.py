"""COCO annotation pieces shared by every json the project writes: the one class-agnostic category, and the mask
fields of an annotation (``docs/design.md``, "Data formats")."""
from __future__ import annotations

from pycocotools import mask as mask_utils

from .rle import compressed_rle, json_rle

#: The single category of class-agnostic pseudo-masks, predictions and collapsed ground truth.
FG_CATEGORY = {'id': 1, 'name': 'fg', 'supercategory': 'fg'}
#: What COCO evaluation measures the overlap of: boxes and masks.
IOU_TYPES = ('bbox', 'segm')
#: How a pseudo-mask scores as a detection: its json ``score``, or 1 for every mask (``'none'``).
SCORE_KEYS = ('score', 'none')


def mask_fields(rle: dict) -> dict:
    """``segmentation`` (json-ready RLE), ``area`` (int pixels) and ``bbox`` (``[x, y, w, h]`` floats) of one mask,
    from its compressed RLE (``counts`` str or bytes), in the order COCO files list them."""
    coco_rle = compressed_rle(rle)
    return {'segmentation': json_rle(rle), 'area': int(mask_utils.area(coco_rle)),
            'bbox': [float(v) for v in mask_utils.toBbox(coco_rle)]}
