"""tools/train.py and tools/test.py end to end on a tiny synthetic pseudo-mask dataset (configs/demo, CPU)."""
import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from mmengine.runner.checkpoint import _load_checkpoint
from tiny_pseudo_mask_data import data_options, write_tiny_dataset
from tool_modules import load_tool

ROOT = Path(__file__).resolve().parents[2]
CONFIG = 'configs/demo/cuts3d_cad_tiny.py'


def _schedule(iters):
    return [f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}', 'default_hooks.checkpoint.interval=3',
            'default_hooks.logger.interval=1', f'param_scheduler.1.end={iters}']


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    """Train 3 iterations (then validate) into a work dir; returns (data root, work dir)."""
    root = write_tiny_dataset(tmp_path_factory.mktemp('data'), num_images=3)
    work_dir = tmp_path_factory.mktemp('work')
    code = load_tool('train').main([CONFIG, '--work-dir', str(work_dir), '--cfg-options', *data_options(root),
                                    *_schedule(3)])
    assert code == 0
    return root, work_dir


def test_training_writes_a_checkpoint_and_validates(trained):
    _, work_dir = trained
    ckpt = _load_checkpoint(str(work_dir / 'iter_3.pth'), map_location='cpu')
    assert ckpt['meta']['iter'] == 3
    assert any(k.startswith('roi_head.mask_head.2.') for k in ckpt['state_dict'])
    scalars = [json.loads(line) for line in next(work_dir.glob('*/vis_data/scalars.json')).read_text().splitlines()]
    assert any('s0.loss_mask' in entry and 's0.drop_frac' in entry for entry in scalars)
    assert any('coco/segm_mAP' in entry and 'coco/segm_AR@100' in entry for entry in scalars)


def test_resume_continues_from_the_last_checkpoint(trained):
    root, work_dir = trained
    code = load_tool('train').main([CONFIG, '--work-dir', str(work_dir), '--resume', '--cfg-options',
                                    *data_options(root), *_schedule(4)])
    assert code == 0
    first, resumed = (_load_checkpoint(str(work_dir / f'iter_{i}.pth'), map_location='cpu') for i in (3, 4))
    assert resumed['meta']['iter'] == 4 and resumed['optimizer']['state']
    moved = [k for k in first['state_dict'] if not torch.equal(first['state_dict'][k], resumed['state_dict'][k])]
    assert moved, 'the resumed iteration should update the weights'
    log = sorted(work_dir.glob('*/*.log'))[-1].read_text()
    assert 'resumed' in log.lower() and 'Iter(train) [4/4]' in log and 'Iter(train) [1/4]' not in log


def test_checkpoint_loads_in_a_fresh_process(trained):
    """What tools/test.py and tools/self_train.py do first: load a Runner checkpoint in a new interpreter, before any
    mmengine HistoryBuffer exists, through the project's weights-only checkpoint policy."""
    _, work_dir = trained
    code = ('import sys, cuts3d.engine; from mmengine.runner.checkpoint import _load_checkpoint; '
            'print(_load_checkpoint(sys.argv[1], map_location="cpu")["meta"]["iter"])')
    result = subprocess.run([sys.executable, '-c', code, str(work_dir / 'iter_3.pth')], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr.strip().splitlines()[-1:]
    assert result.stdout.strip().splitlines()[-1] == '3'


def test_test_tool_reports_class_agnostic_metrics(trained, tmp_path):
    root, work_dir = trained
    out, predictions = tmp_path / 'metrics.json', tmp_path / 'predictions.pkl'
    code = load_tool('test').main([CONFIG, str(work_dir / 'iter_3.pth'), '--gt', str(root / 'annotations.json'),
                                   '--images', str(root / 'images'), '--work-dir', str(tmp_path), '--out', str(out),
                                   '--predictions', str(predictions)])
    assert code == 0
    metrics = json.loads(out.read_text())
    for iou_type in ('bbox', 'segm'):
        assert set(metrics[iou_type]) == {'AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs',
                                          'ARm', 'ARl'}
        assert 0.0 <= metrics[iou_type]['AP'] <= metrics[iou_type]['AP50'] <= 1.0
        assert 0.0 <= metrics[iou_type]['AR1'] <= metrics[iou_type]['AR10'] <= metrics[iou_type]['AR100'] <= 1.0
    with open(predictions, 'rb') as f:
        dumped = pickle.load(f)
    assert len(dumped) == 3 and 0 < len(dumped[0]['pred_instances']['scores']) <= 100  # CutLER: at most 100


@pytest.mark.parametrize('argv, with_data, reason', [
    (['configs/demo/no_such_config.py'], False, 'config file not found'),
    (['configs/demo/extract_cutler_tiny.py'], False, 'has no model'),
    ([CONFIG, '--cfg-options'], True, 'NoSuchHead'),
    ([CONFIG, '--cfg-options', 'train_dataloader.dataset.dataset.data_root=/no/such/dir/'], False, 'annotation file'),
])
def test_bad_config_exits_non_zero_with_one_line(argv, with_data, reason, trained, capsys, tmp_path):
    options = [*data_options(trained[0]), 'model.roi_head.type=NoSuchHead'] if with_data else []
    assert load_tool('train').main([*argv, *options, '--work-dir', str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith('cuts3d train: error:') and reason in err[0]


def test_command_line_entry_point_exits_non_zero():
    result = subprocess.run([sys.executable, 'tools/train.py', 'configs/demo/no_such_config.py'], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and 'config file not found' in result.stderr
