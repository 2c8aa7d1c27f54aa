"""Self-training rounds (cuts3d/engine/self_training.py): the score threshold per round and the round's configs."""
import pytest
from mmengine.config import Config

from cuts3d.engine.self_training import (prediction_config, score_threshold, self_training_settings,
                                         training_config)


def test_score_threshold_per_round():
    assert [score_threshold(r, (0.7, 0.65)) for r in (1, 2, 3)] == [0.7, 0.65, 0.65]
    with pytest.raises(ValueError):
        score_threshold(0, (0.7, ))


@pytest.fixture(scope='module')
def tiny_cfg():
    return Config.fromfile('configs/demo/cuts3d_cad_tiny.py')


def test_unknown_self_training_key_is_an_error(tiny_cfg):
    cfg = tiny_cfg.copy()
    cfg.self_training = dict(score_thr=0.7)
    with pytest.raises(KeyError, match='score_thr'):
        self_training_settings(cfg)


def test_training_config_applies_cutler_self_training_recipe(tiny_cfg):
    cfg = Config.fromfile('configs/cuts3d/dino_in1k.py')
    out = training_config(cfg, '/abs/round_1.json', 'prev.pth', 'wd/round_1')
    assert out.train_dataloader.dataset.dataset.ann_file == '/abs/round_1.json'
    assert out.train_dataloader.dataset.pipeline[0].scale_range == (0.5, 1.0)
    assert out.model.roi_head.use_drop_loss is False
    assert out.model.backbone.init_cfg is None
    assert out.optim_wrapper.optimizer.lr == 0.005 and out.train_cfg.max_iters == 80000
    assert [s['type'] for s in out.param_scheduler] == ['LinearLR']  # warm-up, then constant
    assert out.load_from == 'prev.pth' and out.resume is False
    # the method config itself is left as it was
    assert cfg.model.roi_head.use_drop_loss is True and cfg.optim_wrapper.optimizer.lr == 0.01


def test_self_training_switches_drop_loss_off_in_subclassed_heads_too():
    cfg = Config.fromfile('configs/demo/cuvler_soft_target_tiny.py')
    assert cfg.model.roi_head.type == 'SoftTargetCascadeRoIHead'
    out = training_config(cfg, '/abs/round_1.json', 'prev.pth', 'wd/round_1')
    assert out.model.roi_head.use_drop_loss is False


def test_prediction_config_predicts_30_detections_on_the_training_images(tiny_cfg):
    out = prediction_config(tiny_cfg, '/abs/prev.json', '/abs/new.json', 'prev.pth', 0.7, 'wd')
    dataset = out.test_dataloader.dataset
    assert dataset.type == 'PseudoMaskDataset' and dataset.ann_file == '/abs/prev.json' and dataset.test_mode
    assert dataset.data_prefix == tiny_cfg.train_dataloader.dataset.dataset.data_prefix
    assert [t['type'] for t in dataset.pipeline] == [t['type'] for t in tiny_cfg.test_dataloader.dataset.pipeline]
    assert out.test_evaluator == dict(type='SelfTrainingAnnotator', previous_ann_file='/abs/prev.json',
                                      out_file='/abs/new.json', score_thr=0.7, merge_iou_thr=0.5)
    assert out.model.test_cfg.rcnn.max_per_img == 30
