"""A tiny pseudo-mask dataset for the training-tool tests (synthetic scenes, ground truth, pseudo-masks with
Spatial Confidence derived from it)."""
from __future__ import annotations

from pathlib import Path

from cuts3d.engine.training_benchmark import write_benchmark_data


def write_tiny_dataset(root: Path, num_images: int = 4, size: int = 128) -> Path:
    """``root/images/*.png``, ``root/annotations.json`` (ground truth, category "object") and
    ``root/pseudo_masks.json`` (category "fg", with ``score`` and ``spatial_confidence``). Returns ``root``."""
    return write_benchmark_data(Path(root), num_images, size)


def data_options(root: Path) -> list[str]:
    """``--cfg-options`` values pointing configs/demo/*_tiny.py at ``root``."""
    root_str = f'{root}/'
    return [f'train_dataloader.dataset.dataset.data_root={root_str}', f'val_dataloader.dataset.data_root={root_str}',
            f'test_dataloader.dataset.data_root={root_str}', f'val_evaluator.ann_file={root}/annotations.json',
            f'test_evaluator.ann_file={root}/annotations.json']
