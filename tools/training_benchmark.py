"""Time training steps of a detector config on synthetic pseudo-masks (``tools/benchmark.py training``).

A library for ``tools/benchmark.py`` (imported from this folder) and the tests, not a command of its own.

What a step costs is split in two: ``data`` (the dataloader: loading, Spatial Confidence decoding, resizing,
copy-paste and alpha blending, packing) and ``step`` (preprocessing, forward with all losses, backward, optimizer
update with gradient clipping: ``model.train_step`` as the Runner calls it), in wall-clock seconds and in CPU
seconds of the process (all its threads; less sensitive to other processes on a shared machine). The data are
synthetic scenes with pseudo-masks derived from their ground truth, and per-pixel Spatial Confidence from nested
level sets around each mask (:func:`pseudo_masks_from_ground_truth`), so every CutS3D component has work to do.
"""
from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Dict, List

import cv2
import numpy as np
import torch
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from cuts3d.cli_config import load_config
from cuts3d.utils.synthetic_images import write_synthetic_dataset
from cuts3d.registry import MODELS
from cuts3d.structures import FG_CATEGORY, decode_mask, encode_mask


def spatial_confidence_from_mask(mask: np.ndarray, levels: int = 3, band: int = 3) -> tuple[dict, float]:
    """A ``spatial_confidence`` entry for a binary mask and its mean SC inside the mask.

    Level ``t`` of ``levels`` is the mask grown (``t`` below the middle level) or shrunk (above it) by ``band``
    pixels per step, so SC rises from the outside of the boundary to the inside, as LocalCuts at several
    thresholds disagree most near the boundary. The middle level is the mask itself.
    """
    if levels < 1:
        raise ValueError(f'levels must be >= 1, got {levels}')
    mask = np.asarray(mask, dtype=np.uint8)
    kernel = np.ones((2 * band + 1, 2 * band + 1), np.uint8)
    middle = (levels + 1) // 2
    sets = []
    for t in range(1, levels + 1):
        steps = t - middle
        grown = cv2.erode(mask, kernel, iterations=steps) if steps > 0 else \
            cv2.dilate(mask, kernel, iterations=-steps) if steps < 0 else mask
        sets.append(grown)
    level_map = np.sum(sets, axis=0, dtype=np.float32) / levels
    score = float(level_map[mask > 0].mean()) if mask.any() else 0.0
    return {'levels': levels, 'rles': [encode_mask(s) for s in sets]}, score


def pseudo_masks_from_ground_truth(gt: dict, levels: int = 3) -> dict:
    """A class-agnostic pseudo-mask COCO dict (category ``fg``) with ``score`` and ``spatial_confidence`` from
    ground-truth instance masks (compressed RLE)."""
    annotations = []
    for ann in gt['annotations']:
        sc, score = spatial_confidence_from_mask(decode_mask(ann['segmentation']), levels)
        annotations.append(dict(id=ann['id'], image_id=ann['image_id'], category_id=FG_CATEGORY['id'], iscrowd=0,
                                segmentation=ann['segmentation'], area=ann['area'], bbox=ann['bbox'],
                                score=round(score, 4), spatial_confidence=sc))
    return dict(info=dict(description='pseudo-masks derived from ground truth'), images=gt['images'],
                annotations=annotations, categories=[FG_CATEGORY])


def write_benchmark_data(root: Path, num_images: int, size: int) -> Path:
    """``root/images``, ``root/annotations.json`` (ground truth) and ``root/pseudo_masks.json``; returns root."""
    gt_path = write_synthetic_dataset(root, num_images, seed=0, size=size)
    pseudo = pseudo_masks_from_ground_truth(json.loads(Path(gt_path).read_text()))
    (root / 'pseudo_masks.json').write_text(json.dumps(pseudo))
    return root


def time_training_steps(config: str, data_root: Path, iters: int, warmup: int, batch_size: int,
                        seed: int = 0) -> Dict[str, float]:
    """Median wall-clock seconds of ``data`` and ``step`` (and CPU seconds of ``step``) over ``iters`` training
    iterations after ``warmup`` ones; also the fastest and slowest step."""
    cfg = load_config(config, {
        'train_dataloader.dataset.dataset.data_root': f'{data_root}/',
        'train_dataloader.dataset.dataset.ann_file': 'pseudo_masks.json',
        'train_dataloader.dataset.dataset.data_prefix.img': 'images/',
        'train_dataloader.batch_size': batch_size, 'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False})
    init_default_scope(cfg.get('default_scope', 'cuts3d'))
    torch.manual_seed(seed)
    np.random.seed(seed)
    dataloader = Runner.build_dataloader(cfg.train_dataloader, seed=seed)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    batches = iter(dataloader)
    data_times: List[float] = []
    step_times: List[float] = []
    cpu_times: List[float] = []
    for index in range(warmup + iters):
        start = time.perf_counter()
        batch = next(batches)
        loaded = time.perf_counter()
        cpu_start = time.process_time()
        model.train_step(batch, optim_wrapper)
        cpu = time.process_time() - cpu_start
        done = time.perf_counter()
        if index >= warmup:
            data_times.append(loaded - start)
            step_times.append(done - loaded)
            cpu_times.append(cpu)
    return dict(data_s=statistics.median(data_times), step_s=statistics.median(step_times),
                total_s=statistics.median(d + s for d, s in zip(data_times, step_times)),
                step_min_s=min(step_times), step_max_s=max(step_times), step_cpu_s=statistics.median(cpu_times))
