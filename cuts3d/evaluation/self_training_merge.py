"""CutLER's self-training merge: a model's confident predictions plus the previous annotations they do not replace.

Recipe (CutLER, ``docs/reference.md`` "Self-training"; CutLER's ``tools/get_self_training_ann.py``): keep the
predictions that pass the round's score threshold (:mod:`cuts3d.engine.self_training` derives it), add every
previous annotation whose mask IoU with each kept prediction of its image is ``< 0.5``. The
:class:`~cuts3d.evaluation.SelfTrainingAnnotator` metric runs it at the end of a prediction run.

Where this differs from CutLER's script, on purpose: ``area`` is the mask area (CutLER writes the box area),
``bbox`` is recomputed from the mask, and ``width``/``height`` are not written into annotations (CutLER's are
swapped). The "previous annotations" of round ``r`` are the training annotations of round ``r - 1`` (the initial
pseudo-masks for round 1), as CutLER's README runs it.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Dict, List, Sequence, Tuple

import numpy as np
from pycocotools import mask as mask_utils

from ..structures import FG_CATEGORY, compressed_rle, mask_fields


def prediction_annotation(image_id: int, rle: dict, score: float) -> dict | None:
    """A COCO annotation (category ``fg``) for one predicted mask; ``None`` for an empty mask.

    ``bbox`` and ``area`` come from the mask; the score is rounded to 5 decimals (float32 noise). ``score`` is the
    detector's score, not a confidence of the extraction: a prediction has no Spatial Confidence map and no
    ``sc_mean``, so ``LoadSpatialConfidence`` treats it as SC = 1 inside the mask (mean SC 1), while the previous
    round's pseudo-masks keep their own ``sc_mean``. Confident copy-paste ranks by ``sc_mean``, never by ``score``
    (:class:`cuts3d.datasets.transforms.ConfidentCopyPaste`).
    """
    fields = mask_fields(rle)
    if fields['area'] <= 0:
        return None
    return dict(image_id=int(image_id), category_id=FG_CATEGORY['id'], **fields, iscrowd=0,
                score=round(float(score), 5))


def merge_with_previous(predictions: Sequence[dict], previous: Sequence[dict],
                        iou_thr: float = 0.5) -> Tuple[List[dict], int]:
    """One image's new annotations: all kept predictions, plus each previous annotation whose mask IoU with every
    kept prediction is ``< iou_thr``. Returns the merged list and how many previous annotations were kept."""
    if not predictions:
        return list(previous), len(previous)
    if not previous:
        return list(predictions), 0
    prev_rles = [compressed_rle(a['segmentation']) for a in previous]
    pred_rles = [compressed_rle(p['segmentation']) for p in predictions]
    ious = np.asarray(mask_utils.iou(prev_rles, pred_rles, [0] * len(pred_rles))).reshape(len(previous), -1)
    kept_prev = [a for a, row in zip(previous, ious) if row.max() < iou_thr]
    return list(predictions) + kept_prev, len(kept_prev)


def build_round_annotations(previous: dict, predictions: Sequence[dict], iou_thr: float = 0.5,
                            info: dict | None = None) -> Tuple[dict, Dict[str, int]]:
    """The next round's COCO dict from the previous round's and the kept predictions of the model.

    Args:
        previous: the COCO dict the model was trained on (images, categories, annotations).
        predictions: kept prediction annotations (see :func:`prediction_annotation`) of any of its images.
        iou_thr: previous annotations overlapping a kept prediction by this mask IoU or more are replaced.
        info: recorded under ``info['self_training']``.

    Returns:
        The new dict (same images and categories, annotations renumbered from 1) and counts for the summary.
    """
    image_ids = {img['id'] for img in previous['images']}
    stray = {p['image_id'] for p in predictions} - image_ids
    if stray:
        raise ValueError(f'predictions for {len(stray)} images that the previous annotations do not list, '
                         f'e.g. image_id {sorted(stray)[0]}')
    preds_by_image: Dict[int, List[dict]] = defaultdict(list)
    for pred in predictions:
        preds_by_image[pred['image_id']].append(pred)
    prev_by_image: Dict[int, List[dict]] = defaultdict(list)
    for ann in previous.get('annotations', []):
        prev_by_image[ann['image_id']].append(ann)

    merged, kept_prev = [], 0
    for img in previous['images']:
        anns, kept = merge_with_previous(preds_by_image.get(img['id'], []), prev_by_image.get(img['id'], []),
                                         iou_thr)
        merged += anns
        kept_prev += kept
    annotations = [dict(ann, id=i) for i, ann in enumerate(merged, start=1)]
    new_info = dict(previous.get('info') or {})
    new_info['self_training'] = dict(info or {})
    result = dict(previous, info=new_info, annotations=annotations)
    counts = dict(images=len(previous['images']), predictions_kept=len(predictions), previous_kept=kept_prev,
                  previous_total=len(previous.get('annotations', [])), annotations=len(annotations))
    return result, counts
