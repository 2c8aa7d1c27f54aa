"""COCO AP of a detector with pseudo classes, after mapping its clusters to ground-truth classes (U2Seg, Table 8).

A model trained on clustered pseudo-masks predicts cluster ids, not dataset classes. U2Seg evaluates it by
matching clusters to the ground-truth categories and then running ordinary COCOeval on the relabelled detections
(its sec. 4.1 and Appendix B). The matching statistics: every prediction with confidence ``>= score_thr`` (0.4)
is paired with the ground-truth instance of its image it overlaps most, if that IoU is ``>= iou_thr`` (0.6), and
each pair adds one to ``counts[cluster, class]`` (Table 8 shows that both thresholds move AP and AR).

Two assignments from those counts:

- ``'hungarian'`` (default): one-to-one, maximising the matched pairs (:func:`scipy.optimize.linear_sum_assignment`),
  as the paper names it; at most ``min(C, K)`` clusters get a class.
- ``'majority'``: many-to-one, each cluster to the class it was paired with most: what U2Seg's released evaluator
  does (``detectron2/evaluation/coco_evaluation.py``, ``hungarain_matching``) despite its name, and the only rule
  that fits Table 8, where 389 of 800 clusters are "matched" against COCO's 80 classes. Use it to compare with the
  paper's numbers.

Clusters without a class are dropped (COCO detection has no background class to map them to), as U2Seg's
evaluator drops them. The mapping is fitted on the evaluated predictions themselves, as U2Seg does.
"""
from __future__ import annotations

import json
import os
from typing import Dict, Optional, Sequence, Union

import numpy as np
from mmdet.evaluation import CocoMetric
from mmengine.logging import MMLogger
from pycocotools import mask as mask_utils
from scipy.optimize import linear_sum_assignment

from cuts3d.evaluation.class_agnostic_metric import AP_ITEMS, MAX_DETS
from cuts3d.registry import METRICS
from cuts3d.structures.coco import IOU_TYPES

ASSIGNMENTS = ('hungarian', 'majority')
# mmdet names COCOeval stats[8] "AR@1000"; with MAX_DETS it is the recall at 100 detections.
_STATS8_ITEM = 'AR@1000'


def cluster_class_counts(preds: Sequence[dict], coco, cat_ids: Sequence[int], score_thr: float = 0.4,
                         iou_thr: float = 0.6, iou_type: str = 'bbox') -> np.ndarray:
    """``C x K`` int64 counts of (predicted cluster, ground-truth class) pairs (U2Seg Table 8's matching).

    A prediction with ``score >= score_thr`` is paired with the non-crowd ground-truth instance of its image it
    overlaps most, when that IoU (boxes or masks, ``iou_type``) is ``>= iou_thr``. ``C`` is one more than the
    largest predicted label, ``K = len(cat_ids)`` with column ``k`` for category ``cat_ids[k]``.

    Args:
        preds: mmdet ``CocoMetric`` predictions: ``img_id``, ``bboxes`` (``n x 4`` x1 y1 x2 y2), ``scores``,
            ``labels`` and, for ``'segm'``, ``masks`` (RLEs).
        coco: the ground truth as a loaded ``COCO`` object.
        cat_ids: the ground-truth category ids, in column order.
    """
    if iou_type not in IOU_TYPES:
        raise ValueError(f'iou_type must be one of {IOU_TYPES}; got {iou_type!r}')
    num_clusters = 1 + max((int(p['labels'].max()) for p in preds if len(p['labels'])), default=-1)
    column = {cat_id: k for k, cat_id in enumerate(cat_ids)}
    counts = np.zeros((num_clusters, len(cat_ids)), dtype=np.int64)
    for pred in preds:
        keep = np.flatnonzero(np.asarray(pred['scores']) >= score_thr)
        gts = [ann for ann in coco.imgToAnns.get(pred['img_id'], [])
               if not ann.get('iscrowd', 0) and ann['category_id'] in column]
        if keep.size == 0 or not gts:
            continue
        if iou_type == 'bbox':
            boxes = np.asarray(pred['bboxes'], dtype=np.float64)[keep]
            dets = np.concatenate([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]], axis=1).tolist()
            truths = [ann['bbox'] for ann in gts]
        else:
            dets = [pred['masks'][i] for i in keep]
            truths = [coco.annToRLE(ann) for ann in gts]
        ious = np.asarray(mask_utils.iou(dets, truths, [0] * len(gts))).reshape(len(dets), len(gts))
        best = ious.argmax(axis=1)
        for row, (det, gt_index) in enumerate(zip(keep, best)):
            if ious[row, gt_index] >= iou_thr:
                counts[int(pred['labels'][det]), column[gts[gt_index]['category_id']]] += 1
    return counts


def cluster_to_class(counts: np.ndarray, assignment: str = 'hungarian') -> dict[int, int]:
    """Cluster id -> class column, from :func:`cluster_class_counts`; clusters never paired get none.

    ``'hungarian'``: one-to-one, maximising the total count; ``'majority'``: each cluster's most frequent class.
    """
    if assignment not in ASSIGNMENTS:
        raise ValueError(f'assignment must be one of {ASSIGNMENTS}; got {assignment!r}')
    if counts.size == 0:
        return {}
    if assignment == 'majority':
        return {int(c): int(counts[c].argmax()) for c in np.flatnonzero(counts.sum(axis=1) > 0)}
    rows, cols = linear_sum_assignment(counts, maximize=True)
    return {int(r): int(k) for r, k in zip(rows, cols) if counts[r, k] > 0}


def relabel_prediction(pred: dict, mapping: dict[int, int]) -> dict:
    """A copy of one image's predictions with labels mapped to class columns; unmapped clusters removed."""
    labels = np.asarray(pred['labels'])
    keep = np.array([int(label) in mapping for label in labels], dtype=bool)
    out = dict(pred)
    for key in ('bboxes', 'scores', 'mask_scores'):
        if key in pred:
            out[key] = np.asarray(pred[key])[keep]
    if 'masks' in pred:
        out['masks'] = [mask for mask, kept in zip(pred['masks'], keep) if kept]
    out['labels'] = np.array([mapping[int(label)] for label in labels[keep]], dtype=np.int64)
    return out


@METRICS.register_module()
class HungarianMatchingMetric(CocoMetric):
    """COCO box/mask AP, AP50, AP75, AP_s/m/l and AR@100 of cluster predictions mapped to ground-truth classes.

    Reports under the prefix ``hungarian`` (so it can run beside :class:`ClassAgnosticCocoMetric`, prefix
    ``coco``, in one evaluator), plus ``matched_clusters`` (Table 8's "# matched"). With ``outfile_prefix`` the
    mapping is saved to ``<outfile_prefix>.cluster_mapping.json`` (predicted label -> category id).

    Args:
        ann_file: COCO-format ground truth; all its categories are the classes (the dataset's metainfo is not
            used, so the val dataloader may keep the class-agnostic ``('fg',)``).
        metric: ``'bbox'``, ``'segm'`` or both.
        score_thr: confidence a prediction needs to take part in the matching (U2Seg Table 8: 0.4).
        iou_thr: IoU a prediction needs with a ground-truth instance to be paired with it (Table 8: 0.6).
        match_iou_type: IoU of boxes (``'bbox'``, as U2Seg's evaluator) or of masks (``'segm'``).
        assignment: ``'hungarian'`` (one-to-one) or ``'majority'`` (many-to-one, U2Seg's released evaluator).
        outfile_prefix, format_only, collect_device, prefix, backend_args: as in :class:`CocoMetric`.
    """

    default_prefix: Optional[str] = 'hungarian'

    def __init__(self, ann_file: str, metric: Union[str, Sequence[str]] = ('bbox', 'segm'), score_thr: float = 0.4,
                 iou_thr: float = 0.6, match_iou_type: str = 'bbox', assignment: str = 'hungarian',
                 outfile_prefix: Optional[str] = None, format_only: bool = False, collect_device: str = 'cpu',
                 prefix: Optional[str] = None, backend_args: Optional[dict] = None) -> None:
        if not ann_file:
            raise ValueError('HungarianMatchingMetric needs ann_file: a COCO-format ground-truth json')
        metrics = [metric] if isinstance(metric, str) else list(metric)
        if not metrics or set(metrics) - set(IOU_TYPES):
            raise ValueError(f'HungarianMatchingMetric evaluates "bbox" and/or "segm", got {metrics}')
        if not 0 <= score_thr <= 1 or not 0 < iou_thr <= 1:
            raise ValueError(f'score_thr must lie in [0, 1] and iou_thr in (0, 1]; got {score_thr}, {iou_thr}')
        if match_iou_type not in IOU_TYPES:
            raise ValueError(f'match_iou_type must be one of {IOU_TYPES}; got {match_iou_type!r}')
        if assignment not in ASSIGNMENTS:
            raise ValueError(f'assignment must be one of {ASSIGNMENTS}; got {assignment!r}')
        super().__init__(ann_file=ann_file, metric=metrics, proposal_nums=MAX_DETS,
                         metric_items=[*AP_ITEMS, _STATS8_ITEM], outfile_prefix=outfile_prefix,
                         format_only=format_only, collect_device=collect_device, prefix=prefix,
                         backend_args=backend_args)
        self.cat_ids = sorted(self._coco_api.get_cat_ids())
        if not self.cat_ids:
            raise ValueError(f'{ann_file} has no categories to match clusters to')
        self.score_thr = score_thr
        self.iou_thr = iou_thr
        self.match_iou_type = match_iou_type
        self.assignment = assignment

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Match clusters to classes, relabel the predictions, then mmdet's COCO evaluation."""
        gts, preds = zip(*results)
        counts = cluster_class_counts(preds, self._coco_api, self.cat_ids, self.score_thr, self.iou_thr,
                                      self.match_iou_type)
        mapping = cluster_to_class(counts, self.assignment)
        MMLogger.get_current_instance().info(
            f'{self.assignment} matching: {len(mapping)} of {counts.shape[0]} predicted clusters mapped to '
            f'{len(set(mapping.values()))} of {len(self.cat_ids)} classes (score >= {self.score_thr}, '
            f'{self.match_iou_type} IoU >= {self.iou_thr})')
        if self.outfile_prefix is not None:
            os.makedirs(os.path.dirname(os.path.abspath(self.outfile_prefix)), exist_ok=True)
            with open(f'{self.outfile_prefix}.cluster_mapping.json', 'w', encoding='utf-8') as handle:
                json.dump({str(c): self.cat_ids[k] for c, k in sorted(mapping.items())}, handle, indent=1)
        relabelled = [(gt, relabel_prediction(pred, mapping)) for gt, pred in zip(gts, preds)]
        metrics = super().compute_metrics(relabelled)
        metrics = {key.replace(_STATS8_ITEM, f'AR@{MAX_DETS[-1]}'): value for key, value in metrics.items()}
        metrics['matched_clusters'] = float(len(mapping))
        return metrics
