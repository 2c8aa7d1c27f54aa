"""A tiny pseudo-mask dataset for the training-tool tests (synthetic scenes, ground truth, pseudo-masks with
Spatial Confidence derived from it)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

TRAINING_BENCHMARK = Path(__file__).resolve().parents[2] / 'tools' / 'training_benchmark.py'


def _training_benchmark():
    """``tools/training_benchmark.py`` loaded by path (this helper is itself loaded by path from tests in other
    folders, where ``tool_modules`` is not importable)."""
    spec = importlib.util.spec_from_file_location('cuts3d_tool_training_benchmark', TRAINING_BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_tiny_dataset(root: Path, num_images: int = 4, size: int = 128) -> Path:
    """``root/images/*.png``, ``root/annotations.json`` (ground truth, category "object") and
    ``root/pseudo_masks.json`` (category "fg", with ``score`` and ``spatial_confidence``). Returns ``root``."""
    return _training_benchmark().write_benchmark_data(Path(root), num_images, size)


def data_options(root: Path) -> list[str]:
    """``--cfg-options`` values pointing configs/demo/*_tiny.py at ``root``."""
    root_str = f'{root}/'
    return [f'train_dataloader.dataset.dataset.data_root={root_str}', f'val_dataloader.dataset.data_root={root_str}',
            f'test_dataloader.dataset.data_root={root_str}', f'val_evaluator.ann_file={root}/annotations.json',
            f'test_evaluator.ann_file={root}/annotations.json']
