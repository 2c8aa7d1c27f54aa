"""The tools' config checks (cuts3d/cli_config.py): one-line reasons instead of deep tracebacks."""
from pathlib import Path

import pytest
import torch

from cuts3d.cli_config import (RunConfigError, adapt_to_machine, check_dataset_classes, check_dataset_files,
                               load_config, prepare_backbone_init)

FULL = 'configs/cuts3d/dino_in1k.py'
CONFIGS = Path(__file__).resolve().parents[1] / 'configs'
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def test_missing_and_broken_config_files(tmp_path):
    with pytest.raises(RunConfigError, match='config file not found'):
        load_config(str(tmp_path / 'none.py'))
    broken = tmp_path / 'broken.py'
    broken.write_text('model = dict(\n')
    with pytest.raises(RunConfigError, match=r"broken.py:1: syntax error: '\(' was never closed"):
        load_config(str(broken))


def test_backbone_checkpoint_must_exist_unless_weights_come_from_elsewhere(tmp_path):
    cfg = load_config(FULL)
    assert cfg.model.backbone.init_cfg.checkpoint.startswith('https://')  # checked when it is downloaded
    assert prepare_backbone_init(cfg) is None
    cfg.model.backbone.init_cfg.checkpoint = str(tmp_path / 'absent.pth')
    with pytest.raises(RunConfigError, match='dino_resnet50_pretrain.pth'):
        prepare_backbone_init(cfg)
    ckpt = tmp_path / 'r50.pth'
    torch.save({'conv1.weight': torch.zeros(64, 3, 7, 7)}, ckpt)
    cfg.model.backbone.init_cfg.checkpoint = str(ckpt)
    assert prepare_backbone_init(cfg) is None
    cfg.load_from = 'previous.pth'
    assert 'skipped' in prepare_backbone_init(cfg) and cfg.model.backbone.init_cfg is None


def test_dataset_files_are_checked_with_the_field_to_set():
    cfg = load_config(FULL, {'train_dataloader.dataset.dataset.data_root': '/no/such/'})
    with pytest.raises(RunConfigError, match=r'train_dataloader\.dataset\.dataset\.data_root'):
        check_dataset_files(cfg, 'train_dataloader')


@pytest.mark.skipif(torch.cuda.is_available(), reason='the CPU notes and refusals')
def test_cpu_gets_a_note_for_the_full_recipe_and_no_distributed_launch():
    cfg = load_config(FULL)
    assert '8 GPUs' in adapt_to_machine(cfg)
    assert adapt_to_machine(load_config('configs/demo/cad_tiny.py')) is None
    cfg.launcher = 'pytorch'
    with pytest.raises(RunConfigError, match='--launcher pytorch needs CUDA'):
        adapt_to_machine(cfg)


def test_a_coco_dataset_without_class_names_is_refused_before_training():
    """mmdet's CocoDataset falls back to COCO's 80 names and drops every 'fg' pseudo-mask: an empty training set."""
    cfg = load_config('configs/demo/cuts3d_cad_tiny.py')
    del cfg.train_dataloader.dataset.dataset['metainfo']
    with pytest.raises(RunConfigError, match=r"train_dataloader\.dataset\.dataset \(PseudoMaskDataset\) has no "
                                             r"metainfo\.classes"):
        check_dataset_files(cfg, 'train_dataloader')
    cfg.test_dataloader.dataset.pop('metainfo')
    with pytest.raises(RunConfigError, match=r"set test_dataloader\.dataset\.metainfo=dict\(classes=\('fg',\)\)"):
        check_dataset_classes(cfg, 'test_dataloader')


@pytest.mark.parametrize('config', sorted(str(p.relative_to(CONFIGS)) for p in CONFIGS.rglob('*.py')
                                          if '_base_' not in p.parts))
def test_every_config_names_the_classes_of_its_datasets(config):
    cfg = load_config(str(CONFIGS / config))
    for loader in LOADERS:
        if loader in cfg:
            check_dataset_classes(cfg, loader)
