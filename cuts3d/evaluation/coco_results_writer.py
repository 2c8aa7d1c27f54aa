"""A test-loop "metric" that writes a detector's predictions on plain photos as one self-contained COCO file.

mmdet's ``CocoMetric(format_only=True)`` writes a bare results list that needs the ground-truth json it refers to;
photos without ground truth have none. :class:`CocoResultsWriter` writes ``images`` (file name relative to the
image folder, size), ``categories`` (the dataset's classes) and ``annotations`` (one per detection: ``bbox``
``[x, y, w, h]``, ``score``, ``category_id``, compressed-RLE ``segmentation`` when the model predicts masks), so
pycocotools' ``COCO``, ``cuts3d visualize --predictions`` and a detectron2 loader read it as it is.

A sample whose image could not be loaded (marked by
:class:`cuts3d.datasets.transforms.LoadImageFromFileOrPlaceholder` under ``load_failure`` in its meta) gets no image
entry and no detection: it becomes one line of the failures file ``<out stem>.failures.jsonl`` (``path``,
``file_name``, ``reason``, as ``cuts3d extract`` writes it), which is written on every run, empty when every image
loaded, so a stale one never outlives a rerun. Under a distributed test loop every rank encodes its shard (results
and failures) and mmengine gathers them on rank 0, which writes both files.
"""
from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from pycocotools import mask as mask_utils

from cuts3d.pseudo.runner import failure_record, failures_path
from cuts3d.registry import METRICS
from cuts3d.utils.atomic_file import write_json_atomic, write_jsonl_atomic
from cuts3d.version import __version__


@METRICS.register_module()
class CocoResultsWriter(BaseMetric):
    """Write every prediction with ``score >= score_thr`` to ``out_file`` as a COCO json with its images.

    Args:
        out_file: the json to write.
        image_root: the folder ``file_name`` is relative to (the ``--images`` folder).
        score_thr: predictions below this score are left out (0 keeps all the model returns).
        info: extra ``info`` entries (checkpoint, config).
        failures_file: where the images that failed to load are listed (default ``<out_file stem>.failures.jsonl``).

    The returned metrics count ``images`` (written), ``detections`` and ``failures``.
    """

    default_prefix = 'results'

    def __init__(self, out_file: str, image_root: str, score_thr: float = 0.0, info: dict | None = None,
                 failures_file: str | None = None, collect_device: str = 'cpu', prefix: str | None = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if not 0.0 <= score_thr <= 1.0:
            raise ValueError(f'score_thr must be in [0, 1]; got {score_thr}')
        self.out_file = out_file
        self.image_root = os.path.abspath(image_root)
        self.score_thr = float(score_thr)
        self.info = dict(info or {})
        self.failures_file = failures_file or failures_path(out_file)

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """One result per image: its entry and its detections (masks already RLE, so gathering stays small), or its
        failure record when it did not load."""
        for sample in data_samples:
            file_name = os.path.relpath(sample['img_path'], self.image_root).replace(os.sep, '/')
            if sample.get('load_failure'):
                self.results.append({'image_id': int(sample['img_id']),
                                     'failure': failure_record(sample['img_path'], file_name, sample['load_failure'])})
                continue
            height, width = (int(v) for v in sample['ori_shape'][:2])
            pred = sample['pred_instances']
            scores = pred['scores'].cpu().numpy()
            boxes = pred['bboxes'].cpu().numpy()
            labels = pred['labels'].cpu().numpy()
            masks = pred['masks'].cpu().numpy() if 'masks' in pred else None
            detections = []
            for i in np.flatnonzero(scores >= self.score_thr):
                x1, y1, x2, y2 = (float(v) for v in boxes[i])
                detection = {'category_id': int(labels[i]) + 1, 'bbox': [x1, y1, x2 - x1, y2 - y1],
                             'score': round(float(scores[i]), 5), 'iscrowd': 0, 'area': (x2 - x1) * (y2 - y1)}
                if masks is not None:
                    rle = mask_utils.encode(np.asfortranarray(masks[i].astype(np.uint8)))
                    detection['segmentation'] = {'size': [int(v) for v in rle['size']],
                                                 'counts': rle['counts'].decode('ascii')}
                    detection['area'] = float(mask_utils.area(rle))
                detections.append(detection)
            self.results.append({'image_id': int(sample['img_id']),
                                 'image': {'id': int(sample['img_id']), 'file_name': file_name, 'width': width,
                                           'height': height}, 'detections': detections})

    def compute_metrics(self, results: list) -> dict[str, float]:
        """Write ``out_file`` (images sorted by id, annotation ids 1..N) and the failures file; return the counts."""
        results = sorted(results, key=lambda result: result['image_id'])
        failures = [result['failure'] for result in results if 'failure' in result]
        results = [result for result in results if 'failure' not in result]
        annotations = []
        for result in results:
            for detection in result['detections']:
                annotations.append({'id': len(annotations) + 1, 'image_id': result['image']['id'], **detection})
        classes = self.dataset_meta.get('classes', ()) if self.dataset_meta else ()
        data = {'info': {'description': 'cuts3d infer: detector predictions', 'cuts3d_version': __version__,
                         'score_thr': self.score_thr, **self.info},
                'images': [result['image'] for result in results], 'annotations': annotations,
                'categories': [{'id': i + 1, 'name': name} for i, name in enumerate(classes)]}
        write_json_atomic(self.out_file, data)
        write_jsonl_atomic(self.failures_file, failures)
        return {'images': float(len(results)), 'detections': float(len(annotations)), 'failures': float(len(failures))}
