"""End-to-end extraction benchmark: the real runner on a folder of images, serial against pipelined.

``python tools/benchmark.py extraction --end-to-end`` runs, for each mode (CutLER: ``configs/_base_/pseudo_masks/
maskcut.py``; CutS3D: ``configs/_base_/pseudo_masks/cuts3d.py``) and feature input size, one fresh process that

1. writes ``images`` rendered scenes (:func:`cuts3d.utils.synthetic_images.generate_scene`, every scene kind) as
   PNG files, with their depth maps as ``.npy`` files for ``FileDepth``;
2. for each runner, times the backbone forward alone on those images (the floor an extraction can reach on this
   device), in batches of the pipeline's batch size, right before
3. running :class:`~cuts3d.pseudo.runner.ExtractionRunner` over the folder with ``pipeline=False`` (serial) or
   ``pipeline=True`` (its ``'auto'`` sizes for the device), timing ``run()``: worker start-up, loading, features,
   depth, cuts, CRF, encoding, writing and the merge, as a user's run does. Both runs must write the same json.

Each runner reports images per second end to end and per stage (``1 / seconds per image`` of each stage; in the
pipeline the CPU stages overlap, so their rates say how much work each is, not where the time went), the device's
busy fraction (seconds in the network forward passes, features and a depth model, over the wall time), the peak
memory of the process tree (proportional set size, so pages shared by forked workers count once; sampled every
0.2 s) and on CUDA the peak of ``torch.cuda.max_memory_allocated``.

The backbone is DINO ViT-B/8 with random weights (``pretrained=False``; it costs what the trained one costs). Its
features are all alike, though (cosine 0.37-0.999 between the patches of a rendered 480 px scene, median 0.987), so
at MaskCut's ``tau = 0.15`` every graph is one clique, the cutter finds no cut (see
:class:`~cuts3d.cutting.ncut.NCutCutter`) and LocalCut, Spatial Confidence and the CRF would never run. The benchmark
therefore binarises at :data:`RANDOM_WEIGHT_TAU` (about that median), so that the loop does the work a trained
backbone's graph gives it; ``masks/img`` in the table shows that it does.
Depth is read from files (``--depth file``), or computed by a Depth Anything V2 Small of the released architecture
with random weights (``--depth model``; built from its config, :func:`save_depth_anything_small`, since model hubs
may be unreachable), on the device, as the GPU mode does.
"""
from __future__ import annotations

import gc
import json
import os
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
MODE_CONFIGS = {'cutler': 'configs/_base_/pseudo_masks/maskcut.py', 'cuts3d': 'configs/_base_/pseudo_masks/cuts3d.py'}
RUNNERS = ('serial', 'pipelined')
# NCut threshold for random-weight features (module docstring): about the median patch similarity, so that the
# binarised graph is neither one clique nor empty.
RANDOM_WEIGHT_TAU = 0.985
STAGES = ('load', 'features', 'depth', 'cut', 'partition', 'confidence', 'refine', 'encode')
SCENE_SIZE = 480
MEMORY_POLL_S = 0.2


def write_dataset(folder: Path, count: int, seed: int = 0) -> tuple[Path, Path]:
    """``count`` rendered scenes as ``images/scene_XXX.png`` and their depth as ``depth/scene_XXX.npy``."""
    from PIL import Image

    from cuts3d.utils.synthetic_images import generate_scene

    images, depth = folder / 'images', folder / 'depth'
    images.mkdir(parents=True)
    depth.mkdir()
    for index in range(count):
        scene = generate_scene(index, seed=seed, size=SCENE_SIZE)
        Image.fromarray(scene.image).save(images / f'scene_{index:03d}.png')
        np.save(depth / f'scene_{index:03d}.npy', scene.depth.astype(np.float32))
    return images, depth


def save_depth_anything_small(directory: str) -> str:
    """Depth Anything V2 Small (DINOv2 ViT-S/14 backbone, DPT head; the ``depth-anything/Depth-Anything-V2-Small-hf``
    configuration) with random weights, saved for :class:`~cuts3d.depth.depth_anything.DepthAnythingV2`."""
    import torch
    from transformers import DepthAnythingConfig, DepthAnythingForDepthEstimation, Dinov2Config, DPTImageProcessor

    backbone = Dinov2Config(image_size=518, patch_size=14, hidden_size=384, num_hidden_layers=12,
                            num_attention_heads=6, mlp_ratio=4, out_indices=[3, 6, 9, 12],
                            reshape_hidden_states=False, apply_layernorm=True)
    config = DepthAnythingConfig(backbone_config=backbone, reassemble_hidden_size=384, patch_size=14,
                                 neck_hidden_sizes=[48, 96, 192, 384], fusion_hidden_size=64, head_hidden_size=32,
                                 reassemble_factors=[4, 2, 1, 0.5], depth_estimation_type='relative')
    torch.manual_seed(0)
    DepthAnythingForDepthEstimation(config).save_pretrained(directory)
    DPTImageProcessor(size={'height': 518, 'width': 518}, keep_aspect_ratio=True, ensure_multiple_of=14,
                      resample=3, do_pad=False, image_mean=[0.485, 0.456, 0.406],
                      image_std=[0.229, 0.224, 0.225]).save_pretrained(directory)
    return directory


def generator_config(mode: str, size: int, device: str, depth: dict | None, arch: str | dict = 'vit_base') -> dict:
    """The mode's config with random-weight DINO ``arch`` (ViT-B) /8 at ``size`` on ``device``, the NCut threshold
    :data:`RANDOM_WEIGHT_TAU` and the given depth source."""
    from mmengine.config import Config

    cfg = Config.fromfile(str(REPO / MODE_CONFIGS[mode])).pseudo_mask_generator.to_dict()
    cfg['feature_extractor'] = dict(type='DINOFeatures', arch=arch, patch_size=8, pretrained=False,
                                    input_size=(size, size), device=device)
    cfg['cutter']['tau'] = RANDOM_WEIGHT_TAU
    if mode == 'cuts3d':
        cfg['depth_source'] = depth
    return cfg


class TreeMemory:
    """Peak memory of this process and its descendants (sum of proportional set sizes, falling back to resident
    sizes where ``/proc/PID/smaps`` is not readable), sampled every :data:`MEMORY_POLL_S` in a thread."""

    def __init__(self) -> None:
        import psutil

        self._root = psutil.Process()
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name='tree-memory', daemon=True)

    def _sample(self) -> float:
        import psutil

        total = 0
        for process in [self._root, *self._root.children(recursive=True)]:
            try:
                info = process.memory_full_info()
                total += getattr(info, 'pss', info.rss)
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
        return total / 2 ** 20

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, self._sample())
            self._stop.wait(MEMORY_POLL_S)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, self._sample())


def _synchronize(device: str) -> None:
    import torch

    if device.startswith('cuda'):
        torch.cuda.synchronize()


def forward_seconds(extractor: Any, items: list, batch_size: int) -> float:
    """Seconds per image of the feature extractor alone (``batch`` of ``batch_size`` decoded images), after one
    untimed warm-up pass."""
    from cuts3d.utils.image_io import load_rgb

    images = [load_rgb(item.path) for item in items]
    extractor.batch(images[:batch_size])
    _synchronize(str(extractor.device))
    start = time.perf_counter()
    for first in range(0, len(images), batch_size):
        extractor.batch(images[first:first + batch_size])
    _synchronize(str(extractor.device))
    return (time.perf_counter() - start) / len(images)


def run_extraction(cfg: dict, items: list, out: Path, runner: str, device: str, depth_on_device: bool) -> dict:
    """One :class:`~cuts3d.pseudo.runner.ExtractionRunner` run; its rates, busy fraction and memory."""
    import torch

    from cuts3d.pseudo.runner import ExtractionRunner

    torch.manual_seed(0)  # the same random weights for every runner, so that their files can be compared
    extraction = ExtractionRunner(cfg, items, str(out), progress=False, pipeline=runner == 'pipelined')
    if device.startswith('cuda'):
        torch.cuda.reset_peak_memory_stats()
    with TreeMemory() as memory:
        start = time.perf_counter()
        summary = extraction.run()
        wall = time.perf_counter() - start
    stages = summary.stage_seconds
    on_device = stages.get('features', 0.0) + (stages.get('depth', 0.0) if depth_on_device else 0.0)
    row = dict(runner=runner, how=summary.how, images=summary.processed, failed=summary.failures_total, wall_s=wall,
               images_per_s=summary.processed / wall, stage_seconds=stages,
               stage_images_per_s={stage: 1.0 / seconds for stage, seconds in stages.items() if seconds > 0},
               device_busy=on_device * summary.processed / wall, peak_memory_mb=memory.peak_mb,
               peak_gpu_mb=torch.cuda.max_memory_allocated() / 2 ** 20 if device.startswith('cuda') else None,
               json_bytes=out.read_bytes())
    row['masks_per_image'] = len(json.loads(row['json_bytes'])['annotations']) / max(summary.processed, 1)
    del extraction
    gc.collect()
    return row


def measure_end_to_end(case: dict) -> dict:
    """Everything of one ``(mode, size)`` case in this process: data, the forward pass alone, each runner.

    ``case``: ``mode``, ``size``, ``runners``, ``images``, ``threads``, ``device``, ``depth`` (``'file'`` or
    ``'model'``), optional ``arch`` (default ``'vit_base'``) and ``depth_model`` (a saved model directory instead
    of :func:`save_depth_anything_small`'s).
    """
    import torch

    from cuts3d.pseudo.image_list import list_images
    from cuts3d.pseudo.pipeline import resolve_settings
    from cuts3d.registry import FEATURE_EXTRACTORS, build_component

    warnings.simplefilter('ignore')  # random weights, on purpose
    torch.set_num_threads(case['threads'])
    device = case['device']
    with tempfile.TemporaryDirectory() as tmp:
        images, depth_dir = write_dataset(Path(tmp), case['images'])
        if case['depth'] == 'model':
            model = case.get('depth_model') or save_depth_anything_small(os.path.join(tmp, 'depth_anything_v2'))
            depth = dict(type='DepthAnythingV2', device=device, model=model)
        else:
            depth = dict(type='FileDepth', root=str(depth_dir))
        cfg = generator_config(case['mode'], case['size'], device, depth, case.get('arch', 'vit_base'))
        items = list_images(str(images))[1]
        batch_size = resolve_settings(device=device).batch_size
        rows = []
        for runner in case['runners']:
            extractor = build_component(cfg['feature_extractor'], FEATURE_EXTRACTORS)
            forward = forward_seconds(extractor, items, batch_size)  # right before the run: the same machine load
            del extractor
            gc.collect()
            row = run_extraction(cfg, items, Path(tmp) / f'{runner}.json', runner, device,
                                 case['mode'] == 'cuts3d' and case['depth'] == 'model')
            rows.append(dict(row, forward_s=forward, forward_images_per_s=1.0 / forward,
                             vs_forward=(1.0 / row['images_per_s']) / forward))
    same = len({row.pop('json_bytes') for row in rows}) == 1
    return dict(case, same_json=same, rows=rows)


def _rate(rate: float | None) -> str:
    """A stage's images per second for the table: '-' for a stage that did not run, '>999' for one that costs
    (next to) nothing."""
    return '-' if rate is None else '>999' if rate > 999 else f'{rate:.2f}'


def format_end_to_end(results: list[dict]) -> str:
    """A table: one line per runner, with the forward-alone rate measured right before it and the ratio of the
    seconds per image end to end to those of the forward alone."""
    header = ['mode', 'size', 'runner', 'img/s', 'fwd img/s', 'x fwd', 'busy', 'mem MB', 'GPU MB', 'masks/img',
              *[f'{stage} /s' for stage in STAGES], 'same json']
    lines = [' '.join(f'{h:>10}' for h in header)]
    for result in results:
        if 'error' in result:
            lines.append(f'{result["mode"]:>10} {result["size"]:>10}  {result["error"]}')
            continue
        for row in result['rows']:
            rates = row['stage_images_per_s']
            cells = [result['mode'], str(result['size']), row['runner'], f'{row["images_per_s"]:.3f}',
                     f'{row["forward_images_per_s"]:.3f}', f'{row["vs_forward"]:.2f}', f'{row["device_busy"]:.2f}',
                     f'{row["peak_memory_mb"]:.0f}',
                     '-' if row['peak_gpu_mb'] is None else f'{row["peak_gpu_mb"]:.0f}',
                     f'{row["masks_per_image"]:.1f}',
                     *[_rate(rates.get(stage)) for stage in STAGES],
                     str(result['same_json'])]
            lines.append(' '.join(f'{c:>10}' for c in cells))
    return '\n'.join(lines)
