"""Read detections to draw from the files the project's tools write, keyed by image file stem.

* ``.pkl``: MMDetection's dumped test results (``tools/test.py`` with a ``DumpDetResults`` evaluator, or mmdet's
  ``--out``): a list of dicts with ``img_path`` and ``pred_instances`` (``bboxes`` x1 y1 x2 y2, ``scores``, and
  ``masks`` as RLEs or arrays). Pickle runs code when loaded: read only files you made.
* ``.json``: a COCO instances file (``images`` + ``annotations``): pseudo-masks, ground truth, or any detections
  stored that way. ``bbox`` is ``x y w h``; ``score`` defaults to 1; ``segmentation`` may be a compressed RLE
  (str or bytes counts), an uncompressed RLE or polygons.
"""
from __future__ import annotations

import json
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..structures import SegmentationError, decode_mask


class DetectionFileError(ValueError):
    """A detections file this module cannot read (wrong suffix, wrong structure)."""


@dataclass
class Detections:
    """Detections of one image: ``boxes`` float ``N x 4`` (x1, y1, x2, y2), ``scores`` float ``N``, ``masks`` bool
    ``N x H x W`` or None."""

    boxes: np.ndarray
    scores: np.ndarray
    masks: np.ndarray | None = None


def segmentation_mask(segmentation: Any, height: int, width: int) -> np.ndarray:
    """Bool ``H x W`` mask of a COCO ``segmentation``: compressed RLE, uncompressed RLE, or polygons."""
    try:
        return decode_mask(segmentation, height, width)
    except SegmentationError as error:
        raise DetectionFileError(str(error)) from error


def _from_coco(data: dict) -> dict[str, Detections]:
    if not all(key in data for key in ('images', 'annotations')):
        raise DetectionFileError('a COCO json needs "images" and "annotations"')
    by_id = {image['id']: image for image in data['images']}
    grouped: dict[int, list[dict]] = {image_id: [] for image_id in by_id}
    for ann in data['annotations']:
        grouped.setdefault(ann['image_id'], []).append(ann)
    result = {}
    for image_id, anns in grouped.items():
        image = by_id.get(image_id)
        if image is None:
            raise DetectionFileError(f'annotations refer to image id {image_id}, which "images" does not list')
        height, width = int(image['height']), int(image['width'])
        boxes = np.array([[x, y, x + w, y + h] for x, y, w, h in (a['bbox'] for a in anns)], float).reshape(-1, 4)
        masks = (np.stack([segmentation_mask(a['segmentation'], height, width) for a in anns])
                 if anns and all('segmentation' in a for a in anns) else None)
        result[Path(image['file_name']).stem] = Detections(
            boxes=boxes, scores=np.array([float(a.get('score', 1.0)) for a in anns]), masks=masks)
    return result


def _from_mmdet(results: list) -> dict[str, Detections]:
    out = {}
    for sample in results:
        if not isinstance(sample, dict) or 'img_path' not in sample or 'pred_instances' not in sample:
            raise DetectionFileError('an mmdet results pickle is a list of dicts with img_path and pred_instances')
        pred = sample['pred_instances']
        boxes = np.asarray(pred['bboxes'], dtype=float).reshape(-1, 4)
        masks = pred.get('masks')
        if masks is not None and len(masks) and isinstance(masks[0], dict):
            masks = np.stack([segmentation_mask(rle, *rle['size']) for rle in masks])
        elif masks is not None:
            masks = np.asarray(masks, dtype=bool) if len(masks) else None
        out[Path(sample['img_path']).stem] = Detections(boxes=boxes, scores=np.asarray(pred['scores'], float),
                                                        masks=masks)
    return out


def load_detections(path: str | Path) -> dict[str, Detections]:
    """Detections per image stem from a ``.pkl`` (mmdet results) or ``.json`` (COCO instances) file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f'detections file not found: {path}')
    if path.suffix == '.json':
        return _from_coco(json.loads(path.read_text()))
    if path.suffix == '.pkl':
        with path.open('rb') as handle:
            results = pickle.load(handle)
        if not isinstance(results, list):
            raise DetectionFileError(f'{path}: expected a list of mmdet results, got {type(results).__name__}')
        return _from_mmdet(results)
    raise DetectionFileError(f'{path}: unsupported detections file type {path.suffix!r} (use .pkl or .json)')
