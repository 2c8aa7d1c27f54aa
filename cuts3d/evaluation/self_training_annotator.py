"""A metric that turns a test run over the training images into the next self-training round's annotations.

Used as ``test_evaluator`` by :func:`cuts3d.engine.self_training.prediction_config`: mmengine's test loop runs the
model on every training image (sharded over ranks when distributed), :meth:`process` keeps the predictions whose
score passes the round's threshold (already as compressed RLE, so memory stays small on ImageNet), and
:meth:`compute_metrics`, on rank 0 after mmengine has gathered every rank's results, merges them with the previous
annotations and writes the new json. The returned counts are the round's summary.
"""
from __future__ import annotations

import json
from typing import Dict, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric

from ..registry import METRICS
from ..structures import encode_mask
from ..utils.atomic_file import write_json_atomic
from ..version import __version__
from .self_training_merge import build_round_annotations, prediction_annotation


@METRICS.register_module()
class SelfTrainingAnnotator(BaseMetric):
    """Collect confident predictions and write ``out_file`` = previous annotations merged with them.

    Args:
        previous_ann_file: the COCO json the model was trained on (the images predicted on are its images).
        out_file: where the new COCO json goes.
        score_thr: keep predictions with score ``>=`` this (CutLER: 0.7 in round 1, 0.65 after).
        merge_iou_thr: keep a previous annotation when its mask IoU with every kept prediction is ``<`` this.
    """

    default_prefix: Optional[str] = 'self_training'

    def __init__(self, previous_ann_file: str, out_file: str, score_thr: float = 0.7, merge_iou_thr: float = 0.5,
                 collect_device: str = 'cpu', prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if not 0.0 <= score_thr <= 1.0 or not 0.0 < merge_iou_thr <= 1.0:
            raise ValueError(f'score_thr must be in [0, 1] and merge_iou_thr in (0, 1], got {score_thr}, '
                             f'{merge_iou_thr}')
        self.previous_ann_file = previous_ann_file
        self.out_file = out_file
        self.score_thr = score_thr
        self.merge_iou_thr = merge_iou_thr

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Keep each image's predictions with score >= ``score_thr``, masks encoded as RLE."""
        for sample in data_samples:
            pred = sample['pred_instances']
            if 'masks' not in pred:
                raise KeyError('self-training needs mask predictions (a model with a mask head)')
            scores = pred['scores'].cpu().numpy()
            masks = pred['masks']
            keep = np.flatnonzero(scores >= self.score_thr)
            anns = []
            for i in keep:
                mask = encode_mask(masks[int(i)].cpu().numpy())
                ann = prediction_annotation(sample['img_id'], mask, float(scores[i]))
                if ann is not None:
                    anns.append(ann)
            self.results.append(dict(num_predictions=len(scores), kept=anns))

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Merge with the previous annotations, write ``out_file``, return the round's counts."""
        with open(self.previous_ann_file) as f:
            previous = json.load(f)
        kept = [ann for res in results for ann in res['kept']]
        info = dict(previous_ann_file=self.previous_ann_file, score_thr=self.score_thr,
                    merge_iou_thr=self.merge_iou_thr, code_version=__version__)
        merged, counts = build_round_annotations(previous, kept, self.merge_iou_thr, info)
        write_json_atomic(self.out_file, merged)
        counts['predictions'] = sum(res['num_predictions'] for res in results)
        return {key: float(value) for key, value in counts.items()}
