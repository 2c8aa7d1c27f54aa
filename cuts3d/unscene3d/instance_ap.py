"""Class-agnostic 3D instance AP over points, with the rules of ScanNet's ``evaluate_semantic_instance.py``.

UnScene3D reports AP@25, AP@50 and AP (mean over IoU 0.50, 0.55, ..., 0.90: ScanNet's
``np.arange(0.5, 0.95, 0.05)``, which stops before 0.95) on mesh vertices, class-agnostically. The exact definition
implemented by :func:`evaluate_instance_ap`, for each IoU threshold ``t``, pooled over all scenes:

* Ground truth: per-point instance ids; ``void_label`` (default 0) marks points of no instance (floor, walls,
  unlabelled). Instances with fewer than ``min_region_size`` points (ScanNet: 100) are not evaluated.
* Predictions with fewer than ``min_region_size`` points are dropped. ``IoU = |P & G| / (|P| + |G| - |P & G|)``
  over points; a match needs ``IoU > t`` (strictly).
* Matching is greedy per ground-truth instance (in id order), over the predictions in their given order: the
  first unused prediction above ``t`` matches it; every further prediction above ``t`` is a false positive
  carrying the lower of its score and the match's, and the match keeps the higher. A ground-truth instance
  without a match is a false negative.
* A prediction above ``t`` with no ground-truth instance is a false positive, unless more than a fraction ``t``
  of its points is "ignored": void points (when ``ignore_void``, ScanNet's rule) or points of too-small
  instances.
* Precision/recall at every distinct score, ScanNet's way, plus the point (recall 0, precision 1); AP is
  ``sum_i p_i * (r_(i-1) - r_(i+1)) / 2`` over the points in order of increasing score (ScanNet's
  ``np.convolve(recall, [-0.5, 0, 0.5])`` step widths), which is not COCO's interpolated AP: e.g. one false
  positive ranked above the only true positive gives 0.25 here, 0.5 in COCO.
* AP is NaN without ground truth, 0 with ground truth and no prediction.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

AP_IOUS = tuple(np.round(np.arange(0.5, 0.95, 0.05), 2))  # ScanNet: 0.50 ... 0.90


def _scene_matches(masks: np.ndarray, scores: np.ndarray, gt_ids: np.ndarray, threshold: float,
                   min_region_size: int, void_label: int, ignore_void: bool) -> tuple[list, list, int, bool, bool]:
    """``(y_true, y_score, false negatives, has ground truth, has predictions)`` of one scene at one IoU."""
    ids, counts = np.unique(gt_ids[gt_ids != void_label], return_counts=True)
    valid = counts >= min_region_size
    gt_masks = gt_ids[None, :] == ids[:, None]
    intersections = gt_masks.astype(np.int64) @ masks.T.astype(np.int64)  # G x P
    pred_sizes = masks.sum(axis=1)
    ious = intersections / np.maximum(counts[:, None] + pred_sizes[None, :] - intersections, 1)
    y_true, y_score, false_negatives = [], [], 0
    used = np.zeros(len(masks), dtype=bool)
    for g in np.flatnonzero(valid):
        match_score = None
        for p in np.flatnonzero(intersections[g] > 0):
            if used[p] or ious[g, p] <= threshold:
                continue
            if match_score is None:
                match_score, used[p] = scores[p], True
            else:
                y_true.append(0)
                y_score.append(min(match_score, scores[p]))
                match_score = max(match_score, scores[p])
        if match_score is None:
            false_negatives += 1
        else:
            y_true.append(1)
            y_score.append(match_score)
    void = gt_ids == void_label
    for p in range(len(masks)):
        if (ious[:, p] > threshold).any():
            continue
        ignored = int((void & masks[p]).sum()) if ignore_void else 0
        ignored += int(intersections[~valid, p].sum())
        if ignored / pred_sizes[p] <= threshold:
            y_true.append(0)
            y_score.append(scores[p])
    return y_true, y_score, false_negatives, bool(valid.any()), len(masks) > 0


def scannet_average_precision(y_true: np.ndarray, y_score: np.ndarray, false_negatives: int) -> float:
    """ScanNet's precision/recall curve over distinct scores and its step-width integration (module docstring)."""
    order = np.argsort(y_score, kind='stable')
    scores, true = y_score[order], y_true[order]
    cumulative = np.cumsum(true)
    _, first = np.unique(scores, return_index=True)
    num_true = int(cumulative[-1]) if len(cumulative) else 0
    below = np.append(cumulative, 0)  # below[-1] = 0: nothing ranks under the lowest score
    precision, recall = np.ones(len(first) + 1), np.zeros(len(first) + 1)
    for i, index in enumerate(first):
        tp = num_true - below[index - 1]
        fp = len(scores) - index - tp
        fn = below[index - 1] + false_negatives
        precision[i], recall[i] = tp / (tp + fp), tp / (tp + fn)
    padded = np.concatenate([[recall[0]], recall, [0.0]])
    widths = np.convolve(padded, [-0.5, 0, 0.5], 'valid')
    return float(np.dot(precision, widths))


def _as_arrays(instances: Sequence[Any], num_points: int) -> tuple[np.ndarray, np.ndarray]:
    masks = np.zeros((len(instances), num_points), dtype=bool)
    scores = np.zeros(len(instances))
    for i, instance in enumerate(instances):
        mask = np.asarray(instance.mask, dtype=bool)
        if mask.shape != (num_points,):
            raise ValueError(f'a predicted mask has shape {mask.shape}; the scene has {num_points} points')
        masks[i], scores[i] = mask, float(instance.score)
    return masks, scores


def evaluate_instance_ap(predictions: Sequence[Sequence[Any]], gt_instance_ids: Sequence[np.ndarray], *,
                         iou_thresholds: Sequence[float] = (0.25, *AP_IOUS), min_region_size: int = 100,
                         void_label: int = 0, ignore_void: bool = True) -> dict[str, Any]:
    """Class-agnostic AP of per-point predictions, pooled over scenes (see the module docstring).

    Args:
        predictions: per scene, instances with ``.mask`` (bool over the scene's points) and ``.score``
            (e.g. :class:`~cuts3d.unscene3d.segment_ncut_generator.PointInstance`), in the order matching uses.
        gt_instance_ids: per scene, an int instance id per point, ``void_label`` for no instance.
        iou_thresholds: thresholds to evaluate; ``AP`` averages those in :data:`AP_IOUS` that are present.

    Returns:
        ``{'AP25', 'AP50', 'AP', 'per_iou': {t: AP}}`` as fractions (keys only for thresholds evaluated).
    """
    if len(predictions) != len(gt_instance_ids):
        raise ValueError(f'{len(predictions)} prediction lists for {len(gt_instance_ids)} scenes')
    if min_region_size < 1:
        raise ValueError(f'min_region_size must be >= 1, got {min_region_size}')
    scenes = []
    for instances, gt_ids in zip(predictions, gt_instance_ids):
        gt_ids = np.asarray(gt_ids)
        if gt_ids.ndim != 1 or not np.issubdtype(gt_ids.dtype, np.integer):
            raise ValueError(f'ground truth must be one integer id per point, got {gt_ids.dtype} {gt_ids.shape}')
        masks, scores = _as_arrays(instances, len(gt_ids))
        keep = masks.sum(axis=1) >= min_region_size
        scenes.append((masks[keep], scores[keep], gt_ids))
    per_iou = {}
    for threshold in iou_thresholds:
        y_true, y_score, false_negatives, has_gt, has_pred = [], [], 0, False, False
        for masks, scores, gt_ids in scenes:
            true, score, fn, scene_gt, scene_pred = _scene_matches(masks, scores, gt_ids, float(threshold),
                                                                   min_region_size, void_label, ignore_void)
            y_true += true
            y_score += score
            false_negatives += fn
            has_gt, has_pred = has_gt or scene_gt, has_pred or scene_pred
        if has_gt and has_pred:
            per_iou[float(threshold)] = scannet_average_precision(np.asarray(y_true, dtype=float),
                                                                  np.asarray(y_score, dtype=float), false_negatives)
        else:
            per_iou[float(threshold)] = 0.0 if has_gt else float('nan')
    results: dict[str, Any] = {'per_iou': per_iou}
    for key, threshold in (('AP25', 0.25), ('AP50', 0.5)):
        if threshold in per_iou:
            results[key] = per_iou[threshold]
    averaged = [per_iou[t] for t in AP_IOUS if t in per_iou]
    if averaged:
        results['AP'] = float(np.mean(averaged))
    return results
