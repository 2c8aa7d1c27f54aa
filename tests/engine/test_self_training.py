"""Self-training round logic (cuts3d/engine/self_training.py): filtering, merging, and the round's configs."""
import numpy as np
import pytest
from mmengine.config import Config
from pycocotools import mask as mask_utils

from cuts3d.engine.self_training import (build_round_annotations, merge_with_previous, prediction_annotation,
                                         prediction_config, score_threshold, self_training_settings,
                                         training_config)

SIZE = 40


def _box_rle(x1, y1, x2, y2):
    mask = np.zeros((SIZE, SIZE), np.uint8)
    mask[y1:y2, x1:x2] = 1
    rle = mask_utils.encode(np.asfortranarray(mask))
    return rle


def _previous():
    """Image 1 with pseudo-masks A (0:10 square) and B (20:30); image 2 with C; image 3 without any."""
    anns = []
    for ann_id, (img, box) in enumerate([(1, (0, 0, 10, 10)), (1, (20, 20, 30, 30)), (2, (5, 5, 15, 15))], 1):
        rle = _box_rle(*box)
        anns.append(dict(id=ann_id, image_id=img, category_id=1, iscrowd=0, area=100.0, bbox=[0, 0, 1, 1],
                         segmentation=dict(size=rle['size'], counts=rle['counts'].decode()), score=0.8,
                         spatial_confidence=dict(levels=1, rles=[dict(size=rle['size'],
                                                                     counts=rle['counts'].decode())])))
    images = [dict(id=i, file_name=f'{i}.png', width=SIZE, height=SIZE) for i in (1, 2, 3)]
    return dict(info=dict(description='pseudo-masks'), images=images, annotations=anns,
                categories=[dict(id=1, name='fg')])


def test_prediction_annotation_takes_box_and_area_from_the_mask():
    ann = prediction_annotation(4, _box_rle(2, 3, 12, 8), 0.91)
    assert ann['bbox'] == [2.0, 3.0, 10.0, 5.0] and ann['area'] == 50.0
    assert isinstance(ann['segmentation']['counts'], str) and ann['category_id'] == 1 and ann['score'] == 0.91
    assert prediction_annotation(4, _box_rle(0, 0, 0, 0), 0.9) is None


def test_previous_masks_overlapping_a_prediction_are_replaced():
    prev = _previous()['annotations'][:2]
    # Overlaps A with IoU 0.81 (replaces it), B is untouched (IoU 0).
    pred = prediction_annotation(1, _box_rle(0, 0, 9, 9), 0.9)
    merged, kept = merge_with_previous([pred], prev, iou_thr=0.5)
    assert kept == 1 and merged == [pred, prev[1]]


def test_previous_masks_below_the_iou_threshold_are_kept():
    prev = _previous()['annotations'][:1]
    pred = prediction_annotation(1, _box_rle(0, 0, 10, 4), 0.9)  # IoU 0.4 with A
    merged, kept = merge_with_previous([pred], prev, iou_thr=0.5)
    assert kept == 1 and len(merged) == 2


def test_round_annotations_keep_images_and_renumber():
    preds = [prediction_annotation(1, _box_rle(0, 0, 9, 9), 0.9), prediction_annotation(3, _box_rle(1, 1, 8, 8), 0.8)]
    merged, counts = build_round_annotations(_previous(), preds, 0.5, info=dict(score_thr=0.7))
    assert [img['id'] for img in merged['images']] == [1, 2, 3]
    assert [ann['id'] for ann in merged['annotations']] == [1, 2, 3, 4]
    # image 1: prediction + B; image 2: C (no prediction); image 3: the new prediction only
    assert [ann['image_id'] for ann in merged['annotations']] == [1, 1, 2, 3]
    assert 'spatial_confidence' in merged['annotations'][1] and 'spatial_confidence' not in merged['annotations'][0]
    assert counts == dict(images=3, predictions_kept=2, previous_kept=2, previous_total=3, annotations=4)
    assert merged['info']['self_training'] == dict(score_thr=0.7) and merged['info']['description'] == 'pseudo-masks'


def test_predictions_for_unknown_images_are_an_error():
    with pytest.raises(ValueError, match='image_id 9'):
        build_round_annotations(_previous(), [prediction_annotation(9, _box_rle(0, 0, 5, 5), 0.9)])


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
