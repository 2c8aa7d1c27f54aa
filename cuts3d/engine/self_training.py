"""CutLER's self-training round, as functions: merge a model's confident predictions with the previous
annotations, and derive the round's prediction and training configs from the method config.

Recipe (CutLER, REFERENCE.md section 3 "Self-training"; CutLER's ``tools/get_self_training_ann.py``): predict 30
detections per training image, keep those with score ``>= 0.7`` (round 1) or ``>= 0.65`` (later rounds), add every
previous annotation whose mask IoU with each kept prediction of its image is ``< 0.5``, and retrain from the previous
checkpoint (lr 0.005 constant after warm-up, 80k iterations, DropLoss off, copy-paste scale U(0.5, 1.0)). All of it
is read from the config's ``self_training`` dict (``configs/_base_/schedules/self_training_80k.py``).

Where this differs from CutLER's script, on purpose: ``area`` is the mask area (CutLER writes the box area),
``bbox`` is recomputed from the mask, and ``width``/``height`` are not written into annotations (CutLER's are
swapped). The "previous annotations" of round ``r`` are the training annotations of round ``r - 1`` (the initial
pseudo-masks for round 1), as CutLER's README runs it.
"""
from __future__ import annotations

import copy
from collections import defaultdict
from typing import Any, Dict, Iterator, List, Sequence, Tuple

import numpy as np
from mmengine.config import Config, ConfigDict
from pycocotools import mask as mask_utils

from ..models.roi_heads import DropLossCascadeRoIHead
from ..registry import MODELS

SELF_TRAINING_DEFAULTS: Dict[str, Any] = dict(
    max_dets=30, score_thrs=(0.7, 0.65), merge_iou_thr=0.5, lr=0.005, max_iters=80000, warmup_iters=1000,
    use_drop_loss=False, copy_paste_scale=(0.5, 1.0))


def self_training_settings(cfg: Config) -> Dict[str, Any]:
    """The config's ``self_training`` dict over :data:`SELF_TRAINING_DEFAULTS`; unknown keys are an error."""
    given = dict(cfg.get('self_training') or {})
    unknown = sorted(set(given) - set(SELF_TRAINING_DEFAULTS))
    if unknown:
        raise KeyError(f'unknown self_training keys {unknown}; known: {sorted(SELF_TRAINING_DEFAULTS)}')
    return {**SELF_TRAINING_DEFAULTS, **given}


def score_threshold(round_idx: int, score_thrs: Sequence[float]) -> float:
    """The score threshold of round ``round_idx`` (1-based): its own entry, or the last one for later rounds."""
    if round_idx < 1:
        raise ValueError(f'rounds are counted from 1, got {round_idx}')
    if not score_thrs:
        raise ValueError('self_training.score_thrs is empty')
    return float(score_thrs[min(round_idx, len(score_thrs)) - 1])


def _rle_str(rle: dict) -> dict:
    """A compressed RLE with ``counts`` as str (json-serialisable), whatever pycocotools returned."""
    counts = rle['counts']
    return {'size': [int(s) for s in rle['size']], 'counts': counts.decode() if isinstance(counts, bytes) else counts}


def prediction_annotation(image_id: int, rle: dict, score: float) -> dict | None:
    """A COCO annotation (category ``fg``) for one predicted mask; ``None`` for an empty mask.

    ``bbox`` and ``area`` come from the mask; the score is rounded to 5 decimals (float32 noise). ``score`` is the
    detector's score, not a confidence of the extraction: a prediction has no Spatial Confidence map and no
    ``sc_mean``, so ``LoadSpatialConfidence`` treats it as SC = 1 inside the mask (mean SC 1), while the previous
    round's pseudo-masks keep their own ``sc_mean``. Confident copy-paste ranks by ``sc_mean``, never by ``score``
    (:class:`cuts3d.datasets.transforms.ConfidentCopyPaste`).
    """
    rle = _rle_str(rle)
    area = float(mask_utils.area(rle))
    if area <= 0:
        return None
    bbox = [float(v) for v in mask_utils.toBbox(rle)]
    return dict(image_id=int(image_id), category_id=1, segmentation=rle, area=area, bbox=bbox, iscrowd=0,
                score=round(float(score), 5))


def merge_with_previous(predictions: Sequence[dict], previous: Sequence[dict],
                        iou_thr: float = 0.5) -> Tuple[List[dict], int]:
    """One image's new annotations: all kept predictions, plus each previous annotation whose mask IoU with every
    kept prediction is ``< iou_thr``. Returns the merged list and how many previous annotations were kept."""
    if not predictions:
        return list(previous), len(previous)
    if not previous:
        return list(predictions), 0
    prev_rles = [mask_utils.frPyObjects(a['segmentation'], *a['segmentation']['size'])
                 if isinstance(a['segmentation'].get('counts'), list) else a['segmentation'] for a in previous]
    pred_rles = [p['segmentation'] for p in predictions]
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


def _dataset_nodes(dataset_cfg: dict) -> Iterator[dict]:
    """The dataset config and every dataset it wraps (``dataset=`` / ``datasets=[...]``), outermost first."""
    yield dataset_cfg
    inner = dataset_cfg.get('dataset')
    if isinstance(inner, dict):
        yield from _dataset_nodes(inner)
    for item in dataset_cfg.get('datasets') or []:
        yield from _dataset_nodes(item)


def annotated_dataset(dataset_cfg: dict) -> dict:
    """The innermost dataset config holding ``ann_file`` (through wrappers such as RepeatDataset)."""
    found = [node for node in _dataset_nodes(dataset_cfg) if 'ann_file' in node]
    if len(found) != 1:
        raise ValueError(f'self-training needs exactly one training dataset with an ann_file, found {len(found)}')
    return found[0]


def _transforms(dataset_cfg: dict) -> Iterator[dict]:
    for node in _dataset_nodes(dataset_cfg):
        for transform in node.get('pipeline') or []:
            if isinstance(transform, dict):
                yield transform


COPY_PASTE_TYPES = ('CutLERCopyPaste', 'ConfidentCopyPaste')


def set_copy_paste_scale(dataset_cfg: dict, scale: Sequence[float]) -> int:
    """Set ``scale_range`` of every cuts3d copy-paste transform of the training pipelines; returns how many."""
    count = 0
    for transform in _transforms(dataset_cfg):
        if str(transform.get('type', '')).split('.')[-1] in COPY_PASTE_TYPES:
            transform['scale_range'] = tuple(scale)
            count += 1
    return count


def prediction_config(cfg: Config, ann_file: str, out_file: str, checkpoint: str, score_thr: float,
                      work_dir: str) -> Config:
    """A config whose test run predicts on the training images of ``ann_file`` and writes the merged annotations.

    The test loop (and its distributed sharding) is mmengine's; the merge happens in the
    :class:`~cuts3d.engine.self_training_annotator.SelfTrainingAnnotator` metric on rank 0.
    """
    settings = self_training_settings(cfg)
    out = copy.deepcopy(cfg)
    train_ds = annotated_dataset(out.train_dataloader.dataset)
    if 'test_dataloader' not in out:
        raise KeyError('the config has no test_dataloader, whose pipeline self-training uses to predict')
    test_ds = annotated_dataset(out.test_dataloader.dataset)
    out.test_dataloader.dataset = ConfigDict(
        type=train_ds['type'], data_root=train_ds.get('data_root', ''), ann_file=ann_file,
        data_prefix=copy.deepcopy(train_ds.get('data_prefix', dict(img=''))),
        metainfo=copy.deepcopy(train_ds.get('metainfo', dict(classes=('fg', )))), test_mode=True,
        pipeline=copy.deepcopy(test_ds['pipeline']))
    out.test_evaluator = ConfigDict(type='SelfTrainingAnnotator', previous_ann_file=ann_file, out_file=out_file,
                                    score_thr=score_thr, merge_iou_thr=settings['merge_iou_thr'])
    out.model.test_cfg.rcnn.max_per_img = settings['max_dets']
    out.load_from = checkpoint
    out.resume = False
    out.work_dir = work_dir
    return out


def _has_drop_loss(roi_head: dict) -> bool:
    """Whether the RoI head config builds a DropLoss head (``DropLossCascadeRoIHead`` or a subclass of it)."""
    head_type = roi_head.get('type')
    head_class = MODELS.get(head_type) if isinstance(head_type, str) else head_type
    return isinstance(head_class, type) and issubclass(head_class, DropLossCascadeRoIHead)


def training_config(cfg: Config, ann_file: str, checkpoint: str, work_dir: str) -> Config:
    """The round's training config: new annotations, start from ``checkpoint``, the self-training schedule."""
    settings = self_training_settings(cfg)
    out = copy.deepcopy(cfg)
    train_root = out.train_dataloader.dataset
    annotated_dataset(train_root)['ann_file'] = ann_file
    if set_copy_paste_scale(train_root, settings['copy_paste_scale']) == 0:
        raise ValueError(f'self-training sets the copy-paste scale, but the training pipeline has none of '
                         f'{COPY_PASTE_TYPES}')
    roi_head = out.model.get('roi_head', {})
    if _has_drop_loss(roi_head):
        roi_head['use_drop_loss'] = settings['use_drop_loss']
    if out.model.get('backbone', {}).get('init_cfg'):
        out.model.backbone.init_cfg = None  # every weight comes from the previous checkpoint
    out.optim_wrapper.optimizer.lr = settings['lr']
    max_iters = int(settings['max_iters'])
    warmup = min(int(settings['warmup_iters']), max_iters)
    out.param_scheduler = [dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=warmup)] \
        if warmup > 0 else []
    out.train_cfg.max_iters = max_iters
    out.train_cfg.val_interval = min(out.train_cfg.get('val_interval', max_iters), max_iters)
    out.load_from = checkpoint
    out.resume = False
    out.work_dir = work_dir
    return out
