"""The tools' config checks (cuts3d/cli_config.py): one-line reasons instead of deep tracebacks."""
import pytest
import torch

from cuts3d.cli_config import (RunConfigError, adapt_to_machine, check_dataset_files, load_config,
                               prepare_backbone_init)

FULL = 'configs/cuts3d/dino_in1k.py'


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
