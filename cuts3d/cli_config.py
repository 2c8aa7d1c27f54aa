"""Loading and checking a detector config for the command-line tools (train, test, self-train, benchmark).

The tools exit with one line naming what is wrong (a missing file, a config that does not parse, a field it lacks,
an annotation file that is not valid COCO) instead of a traceback from deep inside the Runner: :class:`RunConfigError`
carries that line. This module is the tools' layer, above the training packages (``docs/design.md``, "Dependency
order"); the pseudo-label tools' config loader is :mod:`cuts3d.pseudo.extraction_config`.
"""
from __future__ import annotations

import json
import os.path as osp
from typing import Any, Iterable, Iterator, Optional

import torch
from mmengine.config import Config
from mmengine.runner import Runner

from .engine.self_training import annotated_dataset
from .evaluation.coco_validation import CocoFileError, validate_coco
from .utils.config_options import ConfigFileError, read_config

__all__ = ['RunConfigError', 'adapt_to_machine', 'annotation_keys', 'backbone_checkpoint',
           'check_annotation_file', 'check_annotation_json', 'check_dataset_classes', 'check_dataset_files',
           'config_work_dir', 'dataset_files', 'load_config', 'one_line', 'prepare_backbone_init', 'require_keys',
           'runner_from_config']


class RunConfigError(ValueError):
    """A config that cannot be run as given; the message is one line for the user."""


def one_line(err: BaseException) -> str:
    """``Type: first line of the message`` of an exception."""
    text = str(err).strip()
    return f'{type(err).__name__}: {text.splitlines()[0]}' if text else type(err).__name__


def load_config(path: str, cfg_options: Optional[dict] = None) -> Config:
    """``Config.fromfile`` plus ``--cfg-options``, with every parsing failure turned into :class:`RunConfigError`.

    A syntax error names the file (also a ``_base_`` file) and line (:mod:`cuts3d.utils.config_options`).
    """
    try:
        return read_config(path, cfg_options)
    except ConfigFileError as err:
        raise RunConfigError(str(err)) from err


def runner_from_config(cfg: Config, config_path: str) -> Runner:
    """``Runner.from_cfg``; the errors of unknown types and bad arguments become one-line :class:`RunConfigError`."""
    try:
        return Runner.from_cfg(cfg)
    except (KeyError, TypeError, ValueError, AssertionError) as err:
        raise RunConfigError(f'{config_path}: cannot build the runner: {one_line(err)}') from err


def require_keys(cfg: Config, keys: Iterable[str], purpose: str) -> None:
    """Fail with the missing top-level keys named (e.g. an extraction-only config given to train.py)."""
    missing = [key for key in keys if key not in cfg]
    if missing:
        raise RunConfigError(f'{cfg.filename or "config"} has no {", ".join(missing)}, which {purpose} needs '
                             '(is it an extraction-only config?)')


def config_work_dir(config_path: str) -> str:
    """The work dir of a detector run when none is given: ``./work_dirs/<config name>``, as mmdet's tools. (An
    extraction's work dir follows its output file instead: :func:`cuts3d.pseudo.runner.output_work_dir`.)"""
    return osp.join('./work_dirs', osp.splitext(osp.basename(config_path))[0])


def _annotated_path(dataset_cfg: dict, path: str) -> str:
    """Dotted config path of the dataset node holding ``ann_file`` (for error hints)."""
    if 'ann_file' in dataset_cfg or not isinstance(dataset_cfg.get('dataset'), dict):
        return path
    return _annotated_path(dataset_cfg['dataset'], f'{path}.dataset')


def dataset_files(dataset_cfg: dict) -> tuple[str, str]:
    """The annotation file and image folder of a (possibly wrapped) dataset config, joined with its ``data_root``."""
    node = annotated_dataset(dataset_cfg)
    root = node.get('data_root') or ''
    prefix = node.get('data_prefix') or {}
    return osp.join(root, node['ann_file']), osp.join(root, prefix.get('img', ''))


def check_dataset_classes(cfg: Config, loader_key: str) -> None:
    """A COCO-style dataset (``CocoDataset`` or a subclass) names its classes in ``metainfo.classes``.

    Without them mmdet uses COCO's 80 class names and keeps only annotations of those categories: a pseudo-mask
    json (category ``fg``) became an empty training set without a word.
    """
    from mmdet.datasets import CocoDataset

    from .registry import DATASETS

    dataset = annotated_dataset(cfg[loader_key]['dataset'])
    kind = dataset.get('type')
    cls = DATASETS.get(kind) if isinstance(kind, str) else kind
    if isinstance(cls, type) and issubclass(cls, CocoDataset) and not (dataset.get('metainfo') or {}).get('classes'):
        node = _annotated_path(cfg[loader_key]['dataset'], f'{loader_key}.dataset')
        raise RunConfigError(f'{loader_key}: {node} ({kind}) has no metainfo.classes; mmdet keeps only the '
                             "annotations of the categories named there (CocoDataset falls back to COCO's 80 names): "
                             f"set {node}.metainfo=dict(classes=('fg',)) for class-agnostic pseudo-masks")


def check_dataset_files(cfg: Config, loader_key: str) -> None:
    """The dataloader's annotation json and image folder exist, and its classes are named (a clear error before the
    Runner starts)."""
    ann_file, img_dir = dataset_files(cfg[loader_key]['dataset'])
    node = _annotated_path(cfg[loader_key]['dataset'], f'{loader_key}.dataset')
    check_dataset_classes(cfg, loader_key)
    if not osp.isfile(ann_file):
        raise RunConfigError(f'{loader_key}: annotation file not found: {ann_file} (set {node}.data_root or '
                             f'{node}.ann_file with --cfg-options)')
    if not osp.isdir(img_dir):
        raise RunConfigError(f'{loader_key}: image folder not found: {img_dir} (set {node}.data_prefix.img)')


def _loads_masks(dataset_cfg: Any) -> bool:
    """Whether a dataset config (wrappers and pipelines searched) loads masks (``LoadAnnotations(with_mask=True)``)."""
    return any(node.get('with_mask') for node in _dicts(dataset_cfg)
               if str(node.get('type', '')).endswith('LoadAnnotations'))


def _dicts(node: Any) -> Iterator[dict]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _dicts(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _dicts(value)


def check_annotation_json(ann_file: str, required: tuple[str, ...], training: bool, what: str) -> None:
    """``ann_file`` is valid COCO with the annotation keys ``required`` (and, for ``training``, annotations).

    RunConfigError, prefixed with ``what``, names the file, the annotation and the problem
    (:func:`cuts3d.evaluation.coco_validation.validate_coco`).
    """
    try:
        with open(ann_file, encoding='utf-8') as handle:
            data = json.load(handle)
        validate_coco(data, ann_file, required=required, require_annotations=training)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise RunConfigError(f'{what}: {ann_file} is not valid json ({err})') from err
    except CocoFileError as err:
        raise RunConfigError(f'{what}: {err}') from err


def annotation_keys(dataset_cfg: Any, evaluated: bool) -> tuple[str, ...]:
    """Keys every annotation of a dataset needs: ``bbox``, ``segmentation`` when the pipeline loads masks, and
    ``area`` and ``iscrowd`` when the set is ``evaluated`` (COCOeval reads them)."""
    keys = ('bbox', 'segmentation') if _loads_masks(dataset_cfg) else ('bbox', )
    return keys + (('area', 'iscrowd') if evaluated else ())


def check_annotation_file(cfg: Config, loader_key: str, evaluated: bool) -> None:
    """The dataloader's annotation json is valid for its use: a training set (not ``evaluated``) needs at least
    one annotation, every annotation the keys of :func:`annotation_keys`."""
    dataset = cfg[loader_key]['dataset']
    check_annotation_json(dataset_files(dataset)[0], annotation_keys(dataset, evaluated), not evaluated, loader_key)


def backbone_checkpoint(cfg: Config) -> Optional[str]:
    """The backbone's ``Pretrained`` checkpoint path, if the config initialises the backbone from one."""
    init_cfg = cfg.model.get('backbone', {}).get('init_cfg') or {}
    if isinstance(init_cfg, dict) and init_cfg.get('type') == 'Pretrained':
        return init_cfg.get('checkpoint')
    return None


def prepare_backbone_init(cfg: Config) -> Optional[str]:
    """Check the backbone checkpoint before training; drop the backbone init when weights come from elsewhere.

    When ``load_from`` or ``resume`` supplies every weight, the backbone init would be overwritten anyway, so it is
    removed (its file need not exist). Returns a note for the log, or None.
    """
    path = backbone_checkpoint(cfg)
    if path is None:
        return None
    if cfg.get('load_from') or cfg.get('resume'):
        cfg.model.backbone.init_cfg = None
        return f'backbone init from {path} skipped: weights come from load_from/resume'
    if '://' not in path and not osp.isfile(path):
        raise RunConfigError(
            f'backbone checkpoint not found: {path} (the DINO ResNet-50 weights, dino_resnet50_pretrain.pth, in '
            'torchvision key layout); set --cfg-options model.backbone.init_cfg.checkpoint=PATH')
    return None


def adapt_to_machine(cfg: Config) -> Optional[str]:
    """Refuse a distributed launch without CUDA; return a note when the full recipe is run on CPU.

    mmengine's pytorch/slurm launchers call ``torch.cuda.set_device``, so multi-process training needs GPUs.
    """
    if torch.cuda.is_available():
        return None
    if cfg.get('launcher', 'none') != 'none':
        raise RunConfigError(f'--launcher {cfg.launcher} needs CUDA GPUs (mmengine\'s launcher binds one GPU per '
                             'process); on this machine run with --launcher none')
    max_iters = cfg.get('train_cfg', {}).get('max_iters', 0) or 0
    if max_iters >= 10000:
        return (f'no GPU: this recipe ({max_iters} iterations, a total batch of 16) is meant for 8 GPUs; on CPU a '
                'step takes seconds to tens of seconds. Use configs/demo/ for CPU runs.')
    return None
