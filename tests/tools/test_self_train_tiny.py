"""tools/self_train.py: one CutLER self-training round on tiny synthetic data (predict, merge, retrain)."""
import json

import pytest
from mmengine.runner.checkpoint import _load_checkpoint
from tiny_pseudo_mask_data import data_options, write_tiny_dataset
from tool_modules import load_tool

CONFIG = 'configs/demo/cuts3d_cad_tiny.py'


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    root = write_tiny_dataset(tmp_path_factory.mktemp('data'), num_images=2)
    work_dir = tmp_path_factory.mktemp('work')
    # Seeded: an unseeded 2-iteration model sometimes predicts only empty masks, which self-training drops.
    schedule = ['train_cfg.max_iters=2', 'train_cfg.val_interval=100', 'param_scheduler.1.end=2', 'randomness.seed=0']
    assert load_tool('train').main([CONFIG, '--work-dir', str(work_dir), '--cfg-options', *data_options(root),
                                    *schedule]) == 0
    return root, work_dir


def test_one_round_predicts_merges_and_retrains(trained):
    root, work_dir = trained
    # A 2-iteration model scores low: a threshold of 0 keeps its 30 detections per image.
    options = [*data_options(root), 'self_training.max_iters=1', 'self_training.warmup_iters=0',
               'self_training.score_thrs=(0.0,)', 'randomness.seed=0']
    assert load_tool('self_train').main([CONFIG, '--rounds', '1', '--work-dir', str(work_dir),
                                         '--cfg-options', *options]) == 0
    summary = json.loads((work_dir / 'self_training.json').read_text())
    assert len(summary) == 1 and summary[0]['round'] == 1 and summary[0]['score_thr'] == 0.0
    assert summary[0]['images'] == 2 and summary[0]['predictions'] == 60 and summary[0]['predictions_kept'] > 0
    assert 'coco/segm_mAP' in summary[0]['val']

    merged = json.loads((work_dir / 'round_1' / 'annotations.json').read_text())
    assert len(merged['annotations']) == summary[0]['annotations']
    assert summary[0]['annotations'] == summary[0]['predictions_kept'] + summary[0]['previous_kept']
    assert [a['id'] for a in merged['annotations']] == list(range(1, len(merged['annotations']) + 1))
    assert merged['info']['self_training']['score_thr'] == 0.0

    ckpt = _load_checkpoint(summary[0]['checkpoint'], map_location='cpu')
    assert ckpt['meta']['iter'] == 1
    log = next((work_dir / 'round_1').glob('*/*.log')).read_text()
    assert 'lr: 5.0000e-03' in log and 's0.drop_frac' not in log  # self-training lr, DropLoss off


def test_missing_checkpoint_is_a_one_line_error(tmp_path, capsys):
    root = write_tiny_dataset(tmp_path / 'data', num_images=1)
    code = load_tool('self_train').main([CONFIG, '--rounds', '1', '--work-dir', str(tmp_path / 'empty'),
                                         '--cfg-options', *data_options(root)])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and 'no checkpoint to start from' in err[0]
