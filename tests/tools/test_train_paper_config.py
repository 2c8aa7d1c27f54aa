"""tools/train.py on the paper's own config (configs/cuts3d/diffncuts_in1k.py, full R50 Cascade Mask R-CNN):
it must start and step on a CPU, on tiny data, with only data paths and the backbone init overridden."""
from tiny_pseudo_mask_data import write_tiny_dataset
from tool_modules import load_tool

CONFIG = 'configs/cuts3d/diffncuts_in1k.py'


def test_paper_config_starts_and_steps_on_cpu(tmp_path):
    root = write_tiny_dataset(tmp_path / 'data', num_images=2, size=96)
    gt = f'{root}/annotations.json'
    options = [f'train_dataloader.dataset.dataset.data_root={root}/',
               'train_dataloader.dataset.dataset.ann_file=pseudo_masks.json',
               'train_dataloader.dataset.dataset.data_prefix.img=images/',
               f'val_dataloader.dataset.data_root={root}/', 'val_dataloader.dataset.ann_file=annotations.json',
               'val_dataloader.dataset.data_prefix.img=images/', f'val_evaluator.ann_file={gt}',
               f'test_dataloader.dataset.data_root={root}/', 'test_dataloader.dataset.ann_file=annotations.json',
               'test_dataloader.dataset.data_prefix.img=images/', f'test_evaluator.ann_file={gt}',
               'model.backbone.init_cfg=None',  # the DINO ResNet-50 checkpoint is not on this machine
               'train_dataloader.batch_size=1', 'train_dataloader.num_workers=0',
               'train_dataloader.persistent_workers=False', 'train_cfg.max_iters=1', 'train_cfg.val_interval=100',
               'default_hooks.logger.interval=1', 'randomness.seed=0']
    work_dir = tmp_path / 'work'
    assert load_tool('train').main([CONFIG, '--work-dir', str(work_dir), '--cfg-options', *options]) == 0
    assert (work_dir / 'iter_1.pth').is_file()
    log = next(work_dir.glob('*/*.log')).read_text()
    assert 'Iter(train) [1/1]' in log and 's0.drop_frac' in log and 's2.loss_mask' in log
