"""CutLER's self-training round, as config edits: the round's settings, and its prediction and training configs
derived from the method config.

Recipe (CutLER, ``docs/reference.md`` "Self-training"; CutLER's ``tools/get_self_training_ann.py``): predict 30
detections per training image, keep those with score ``>= 0.7`` (round 1) or ``>= 0.65`` (later rounds), merge them
with the previous annotations (:mod:`cuts3d.evaluation.self_training_merge`, run by the
:class:`~cuts3d.evaluation.SelfTrainingAnnotator` metric of the prediction config), and retrain from the previous
checkpoint (lr 0.005 constant after warm-up, 80k iterations, DropLoss off, copy-paste scale U(0.5, 1.0)). All of it
is read from the config's ``self_training`` dict (``configs/_base_/schedules/self_training_80k.py``).
"""
from __future__ import annotations

import copy
from typing import Any, Dict, Iterator, Sequence

from mmengine.config import Config, ConfigDict

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
    :class:`~cuts3d.evaluation.SelfTrainingAnnotator` metric on rank 0.
    """
    settings = self_training_settings(cfg)
    out = copy.deepcopy(cfg)
    train_ds = annotated_dataset(out.train_dataloader.dataset)
    if not (train_ds.get('metainfo') or {}).get('classes'):
        raise ValueError('the training dataset has no metainfo.classes; the predictions are labelled with them: '
                         "set e.g. metainfo=dict(classes=('fg',))")
    if 'test_dataloader' not in out:
        raise KeyError('the config has no test_dataloader, whose pipeline self-training uses to predict')
    test_ds = annotated_dataset(out.test_dataloader.dataset)
    out.test_dataloader.dataset = ConfigDict(
        type=train_ds['type'], data_root=train_ds.get('data_root', ''), ann_file=ann_file,
        data_prefix=copy.deepcopy(train_ds.get('data_prefix', dict(img=''))),
        metainfo=copy.deepcopy(train_ds['metainfo']), test_mode=True,
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
    from ..models.roi_heads import DropLossCascadeRoIHead  # the detector's modules load mmdet's models
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
