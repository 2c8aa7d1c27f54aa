"""Class-agnostic COCOeval of a raw pseudo-mask file against any COCO-format ground truth.

CutLER ships no evaluator for its pseudo-masks (``docs/reference.md``, "Defects"); users want the numbers a
trained detector is judged by (same file, "Evaluation"): ordinary COCOeval with the ground truth's categories
collapsed into one ``fg`` class, boxes and masks, AP, AP50, AP75, AP_s/m/l and AR_1/10/100, AR_s/m/l. Each
pseudo-mask is a detection scored by its ``score`` (mean Spatial Confidence) or by 1.

Images are matched by ``file_name`` (exact, else by base name when that is unique in the ground truth); only the
ground-truth images that the pseudo-mask file covers are evaluated, so a file extracted from a subset of val2017
is judged on that subset. Mask AP uses mask areas for the small/medium/large ranges (boxes are dropped from the
mask detections, as mmdet's CocoMetric does, or COCOeval would take box areas).

Both files are checked first (:func:`cuts3d.evaluation.coco_validation.validate_coco`): a negative box, an unknown
``image_id``, an RLE of the wrong size or with garbage counts, a NaN score stop the evaluation with one line
instead of silently changing the numbers.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
from collections import Counter
from typing import Any

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from ..structures.coco import FG_CATEGORY, IOU_TYPES, SCORE_KEYS
from .class_agnostic_metric import collapse_categories
from .coco_validation import CocoFileError, validate_coco

STAT_NAMES = ('AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl')
GT_KEYS = ('area', 'iscrowd')  # COCOeval reads both from every ground-truth annotation


class EvaluationInputError(ValueError):
    """Ground truth and pseudo-masks that cannot be compared (no common image, different image sizes)."""


def _quiet(function, *args: Any) -> Any:
    """Call a pycocotools function without its progress prints."""
    with contextlib.redirect_stdout(io.StringIO()):
        return function(*args)


def class_agnostic_ground_truth(gt: dict | str | os.PathLike) -> COCO:
    """A pycocotools ``COCO`` of ``gt`` (a dict, copied, or a json path) with every category collapsed to ``fg``."""
    coco = COCO()
    if isinstance(gt, dict):
        coco.dataset = {**gt, 'annotations': [dict(ann) for ann in gt.get('annotations', [])]}
    else:
        coco = _quiet(COCO, os.fspath(gt))
    if 'images' not in coco.dataset:
        raise EvaluationInputError('the ground truth has no "images"')
    coco.dataset.setdefault('annotations', [])
    _quiet(collapse_categories, coco)
    return coco


def match_images(pseudo_images: list[dict], gt: COCO) -> tuple[dict[int, int], int]:
    """``({pseudo image id: gt image id}, number of pseudo images not in the ground truth)``.

    Raises :class:`EvaluationInputError` when a matched pair has different sizes (the masks could not overlap).
    """
    by_name = {img['file_name']: img for img in gt.dataset['images']}
    base_counts = Counter(os.path.basename(name) for name in by_name)
    by_base = {os.path.basename(name): img for name, img in by_name.items() if base_counts[os.path.basename(name)] == 1}
    mapping, unmatched = {}, 0
    for img in pseudo_images:
        target = by_name.get(img['file_name']) or by_base.get(os.path.basename(img['file_name']))
        if target is None:
            unmatched += 1
            continue
        if (img['width'], img['height']) != (target['width'], target['height']):
            raise EvaluationInputError(
                f'{img["file_name"]}: pseudo-mask image is {img["width"]} x {img["height"]} but the ground truth '
                f'says {target["width"]} x {target["height"]}')
        mapping[img['id']] = target['id']
    return mapping, unmatched


def pseudo_masks_as_detections(pseudo: dict, mapping: dict[int, int], score_key: str = 'score') -> list[dict]:
    """Every annotation of a matched image as a class-agnostic detection (``score`` or 1 when ``'none'``)."""
    if score_key not in SCORE_KEYS:
        raise ValueError(f'unknown score key {score_key!r}; choose one of {SCORE_KEYS}')
    detections = []
    for ann in pseudo['annotations']:
        if ann['image_id'] not in mapping:
            continue
        score = float(ann.get('score', 1.0)) if score_key == 'score' else 1.0
        detections.append({'image_id': mapping[ann['image_id']], 'category_id': FG_CATEGORY['id'],
                           'bbox': list(ann['bbox']), 'segmentation': ann['segmentation'], 'score': score})
    return detections


def _detections_coco(gt: COCO, detections: list[dict], iou_type: str) -> COCO:
    if iou_type == 'segm':
        detections = [{k: v for k, v in det.items() if k != 'bbox'} for det in detections]
    else:
        detections = [{k: v for k, v in det.items() if k != 'segmentation'} for det in detections]
    if detections:
        return _quiet(gt.loadRes, detections)
    empty = COCO()
    empty.dataset = {'images': gt.dataset['images'], 'categories': gt.dataset['categories'], 'annotations': []}
    _quiet(empty.createIndex)
    return empty


def evaluate_detections(gt: COCO, detections: list[dict], image_ids: list[int],
                        iou_types: tuple[str, ...] = IOU_TYPES) -> dict[str, dict[str, float]]:
    """COCOeval ``stats`` by name (:data:`STAT_NAMES`) per IoU type, on ``image_ids`` of a class-agnostic ``gt``.

    Values are fractions in [0, 1]; -1 where the ground truth has no object of that size (COCOeval's convention).
    """
    unknown = sorted(set(iou_types) - set(IOU_TYPES))
    if unknown:
        raise ValueError(f'unknown IoU type(s) {unknown}; choose from {IOU_TYPES}')
    results = {}
    for iou_type in iou_types:
        evaluator = COCOeval(gt, _detections_coco(gt, detections, iou_type), iou_type)
        evaluator.params.imgIds = sorted(image_ids)
        evaluator.params.catIds = [FG_CATEGORY['id']]
        _quiet(evaluator.evaluate)
        _quiet(evaluator.accumulate)
        _quiet(evaluator.summarize)
        results[iou_type] = {name: float(value) for name, value in zip(STAT_NAMES, np.asarray(evaluator.stats))}
    return results


def load_ground_truth(path: str | os.PathLike, iou_types: tuple[str, ...] = IOU_TYPES) -> dict:
    """A ground-truth json as a dict, validated for the IoU types to evaluate (CocoFileError otherwise)."""
    path = os.fspath(path)
    try:
        with open(path, encoding='utf-8') as handle:
            gt = json.load(handle)
    except FileNotFoundError as error:
        raise EvaluationInputError(f'ground truth {path} does not exist') from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CocoFileError(f'{path}: not valid json ({error})') from error
    validate_coco(gt, path, required=_needed_keys(iou_types, GT_KEYS))
    return gt


def _needed_keys(iou_types: tuple[str, ...], extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Annotation keys COCOeval reads for ``iou_types`` (``bbox``, ``segmentation``), plus ``extra``."""
    return tuple(key for key, iou_type in (('bbox', 'bbox'), ('segmentation', 'segm')) if iou_type in iou_types) + extra


def evaluate_pseudo_masks(pseudo: dict, gt: dict | str | os.PathLike, score_key: str = 'score',
                          iou_types: tuple[str, ...] = IOU_TYPES, pseudo_path: str = 'pseudo-masks') -> dict[str, Any]:
    """Evaluate a pseudo-mask file (as a dict) against ground truth; returns metrics and matching counts.

    ``{'bbox': {...}, 'segm': {...}, 'images_evaluated': n, 'pseudo_images_not_in_gt': m, 'detections': k}``.
    Both are validated first (:class:`~cuts3d.evaluation.coco_validation.CocoFileError`); ``pseudo_path`` names
    the pseudo-mask file in those messages.
    """
    validate_coco(pseudo, pseudo_path, required=('bbox', 'segmentation'))
    if isinstance(gt, dict):
        validate_coco(gt, 'ground truth', required=_needed_keys(iou_types, GT_KEYS))
    else:
        gt = load_ground_truth(gt, iou_types)
    coco_gt = class_agnostic_ground_truth(gt)
    mapping, unmatched = match_images(pseudo['images'], coco_gt)
    if not mapping:
        raise EvaluationInputError('no image of the pseudo-mask file is in the ground truth (matched by file_name)')
    detections = pseudo_masks_as_detections(pseudo, mapping, score_key)
    results: dict[str, Any] = evaluate_detections(coco_gt, detections, list(mapping.values()), iou_types)
    results.update(images_evaluated=len(mapping), pseudo_images_not_in_gt=unmatched, detections=len(detections))
    return results


def format_table(results: dict[str, Any]) -> str:
    """The metrics of :func:`evaluate_pseudo_masks` as a fixed-width table, in percent (-1 shown as ``-``)."""
    iou_types = [key for key in IOU_TYPES if key in results]
    lines = [' ' * 6 + ''.join(f'{name:>7}' for name in STAT_NAMES)]
    for iou_type in iou_types:
        cells = [f'{100 * v:7.1f}' if v >= 0 else f'{"-":>7}' for v in (results[iou_type][n] for n in STAT_NAMES)]
        lines.append(f'{iou_type:<6}' + ''.join(cells))
    return '\n'.join(lines)
