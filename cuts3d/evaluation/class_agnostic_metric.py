"""Class-agnostic COCO metric: mmdet's :class:`CocoMetric` on ground truth whose categories are collapsed into one.

Unsupervised detectors predict one class, "fg"; CutLER and CutS3D evaluate them with ordinary COCOeval against
ground truth whose categories are all merged into one (``docs/reference.md``, "Evaluation"). This metric loads
any COCO-format ground truth (COCO, LVIS-style instances files, VOC/KITTI converted to COCO), rewrites every
annotation to category 1 ``fg`` and evaluates boxes and masks with detectron2's ``maxDets = (1, 10, 100)``, so the
numbers are comparable with CutLER's. Predictions of any label count as ``fg`` (a model with pseudo classes, as
U2Seg's, is evaluated class-agnostically too). It reports all twelve COCOeval numbers: AP, AP50, AP75, AP_s/m/l
(mmdet's names ``<metric>_mAP...``) and AR@1, AR@10, AR@100, AR_s/m/l@100; :func:`stat_table` renames them as
``tools/eval_pseudo_masks.py`` does, so detector and raw pseudo-mask numbers line up.
"""
from __future__ import annotations

from typing import Dict, Optional, Sequence, Union

from mmdet.evaluation import CocoMetric

from ..registry import METRICS
from ..structures import FG_CATEGORY

MAX_DETS = (1, 10, 100)
# mmdet's names for COCOeval's stats[0..11] assume maxDets (100, 300, 1000); with detectron2's (1, 10, 100) the
# recall items mean other things, so they are renamed after mmdet's evaluation.
AP_ITEMS = ('mAP', 'mAP_50', 'mAP_75', 'mAP_s', 'mAP_m', 'mAP_l')
AR_ITEMS = {'AR@100': 'AR@1', 'AR@300': 'AR@10', 'AR@1000': 'AR@100', 'AR_s@1000': 'AR_s@100',
            'AR_m@1000': 'AR_m@100', 'AR_l@1000': 'AR_l@100'}
# The project's stat names (as tools/eval_pseudo_masks.py writes them) for each reported item.
_ITEM_TO_STAT = {'mAP': 'AP', 'mAP_50': 'AP50', 'mAP_75': 'AP75', 'mAP_s': 'APs', 'mAP_m': 'APm', 'mAP_l': 'APl',
                 'AR@1': 'AR1', 'AR@10': 'AR10', 'AR@100': 'AR100', 'AR_s@100': 'ARs', 'AR_m@100': 'ARm',
                 'AR_l@100': 'ARl'}


def collapse_categories(coco) -> None:
    """Rewrite a loaded pycocotools/mmdet ``COCO`` object in place so that every annotation is category 1 ``fg``."""
    for ann in coco.dataset.get('annotations', []):
        ann['category_id'] = FG_CATEGORY['id']
    coco.dataset['categories'] = [dict(FG_CATEGORY)]
    coco.createIndex()


@METRICS.register_module()
class ClassAgnosticCocoMetric(CocoMetric):
    """COCO box/mask AP, AP50, AP75, AP_s/m/l and AR@100 with all ground-truth categories merged into ``fg``.

    Args:
        ann_file: COCO-format ground truth (required: the dataset itself, built with the single class ``fg``,
            does not keep the other categories' annotations).
        metric: ``'bbox'``, ``'segm'`` or both.
        outfile_prefix, format_only, collect_device, prefix, backend_args: as in :class:`CocoMetric`.
    """

    default_prefix: Optional[str] = 'coco'

    def __init__(self, ann_file: str, metric: Union[str, Sequence[str]] = ('bbox', 'segm'),
                 outfile_prefix: Optional[str] = None, format_only: bool = False, collect_device: str = 'cpu',
                 prefix: Optional[str] = None, backend_args: Optional[dict] = None) -> None:
        if not ann_file:
            raise ValueError('ClassAgnosticCocoMetric needs ann_file: a COCO-format ground-truth json')
        metrics = [metric] if isinstance(metric, str) else list(metric)
        unknown = sorted(set(metrics) - {'bbox', 'segm'})
        if unknown or not metrics:
            raise ValueError(f'ClassAgnosticCocoMetric evaluates "bbox" and/or "segm", got {metrics}')
        super().__init__(ann_file=ann_file, metric=metrics, proposal_nums=MAX_DETS,
                         metric_items=[*AP_ITEMS, *AR_ITEMS], outfile_prefix=outfile_prefix,
                         format_only=format_only, collect_device=collect_device, prefix=prefix,
                         backend_args=backend_args)
        collapse_categories(self._coco_api)
        self.cat_ids = [FG_CATEGORY['id']]

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Collect predictions as mmdet does, with every predicted label counted as ``fg`` (copies, not in place)."""
        collapsed = []
        for sample in data_samples:
            pred = dict(sample['pred_instances'])
            pred['labels'] = pred['labels'].new_zeros(pred['labels'].shape)
            collapsed.append(dict(sample, pred_instances=pred))
        super().process(data_batch, collapsed)

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """mmdet's COCO evaluation, with the recall items named for what they are (``<metric>_AR@100``, ...)."""
        renamed = {}
        for key, value in super().compute_metrics(results).items():
            iou_type, _, item = key.partition('_')
            renamed[f'{iou_type}_{AR_ITEMS.get(item, item)}'] = value
        return renamed


def stat_table(metrics: Dict[str, float]) -> Dict[str, Dict[str, float]]:
    """``{'bbox': {'AP': ..., 'AR100': ...}, 'segm': {...}}`` from this metric's results (any prefix), in the
    layout and names of ``tools/eval_pseudo_masks.py``; values are fractions, -1 where COCOeval has none."""
    table: Dict[str, Dict[str, float]] = {}
    for key, value in metrics.items():
        iou_type, _, item = key.rpartition('/')[-1].partition('_')
        if iou_type in ('bbox', 'segm') and item in _ITEM_TO_STAT:
            table.setdefault(iou_type, {})[_ITEM_TO_STAT[item]] = float(value)
    return table
