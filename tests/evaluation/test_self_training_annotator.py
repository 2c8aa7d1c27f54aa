"""SelfTrainingAnnotator: a test run's predictions become the next round's annotation file."""
import json

import numpy as np
import pytest
import torch
from pycocotools import mask as mask_utils

from cuts3d.evaluation import SelfTrainingAnnotator

SIZE = 24


def _mask(x1, y1, x2, y2):
    mask = np.zeros((SIZE, SIZE), bool)
    mask[y1:y2, x1:x2] = True
    return mask


@pytest.fixture
def previous(tmp_path):
    rle = mask_utils.encode(np.asfortranarray(_mask(0, 0, 8, 8).astype(np.uint8)))
    ann = dict(id=1, image_id=1, category_id=1, iscrowd=0, area=64.0, bbox=[0, 0, 8, 8], score=0.6,
               segmentation=dict(size=rle['size'], counts=rle['counts'].decode()))
    data = dict(images=[dict(id=1, file_name='a.png', width=SIZE, height=SIZE),
                        dict(id=2, file_name='b.png', width=SIZE, height=SIZE)],
                annotations=[ann], categories=[dict(id=1, name='fg')])
    path = tmp_path / 'prev.json'
    path.write_text(json.dumps(data))
    return path


def _sample(img_id, masks, scores):
    return dict(img_id=img_id, pred_instances=dict(masks=torch.from_numpy(np.stack(masks)),
                                                   scores=torch.tensor(scores),
                                                   bboxes=torch.zeros(len(scores), 4),
                                                   labels=torch.zeros(len(scores), dtype=torch.long)))


def test_confident_predictions_are_merged_and_written(previous, tmp_path):
    out = tmp_path / 'round_1' / 'annotations.json'
    metric = SelfTrainingAnnotator(str(previous), str(out), score_thr=0.7, merge_iou_thr=0.5)
    # image 1: a confident mask far from the old one and an unconfident one; image 2: one confident mask
    metric.process({}, [_sample(1, [_mask(12, 12, 20, 20), _mask(0, 0, 8, 8)], [0.9, 0.5]),
                        _sample(2, [_mask(2, 2, 6, 6)], [0.7])])
    counts = metric.evaluate(size=2)
    assert counts == {'self_training/images': 2.0, 'self_training/predictions_kept': 2.0,
                      'self_training/previous_kept': 1.0, 'self_training/previous_total': 1.0,
                      'self_training/annotations': 3.0, 'self_training/predictions': 3.0}
    written = json.loads(out.read_text())
    assert [(a['image_id'], a['score']) for a in written['annotations']] == [(1, 0.9), (1, 0.6), (2, 0.7)]
    assert written['info']['self_training']['score_thr'] == 0.7


def test_a_model_without_masks_is_refused(previous, tmp_path):
    metric = SelfTrainingAnnotator(str(previous), str(tmp_path / 'x.json'))
    with pytest.raises(KeyError, match='mask'):
        metric.process({}, [dict(img_id=1, pred_instances=dict(scores=torch.ones(1)))])


def test_bad_thresholds_are_refused(previous, tmp_path):
    with pytest.raises(ValueError, match='score_thr'):
        SelfTrainingAnnotator(str(previous), str(tmp_path / 'x.json'), score_thr=1.5)
