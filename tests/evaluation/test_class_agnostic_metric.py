"""ClassAgnosticCocoMetric: any GT categories and any predicted labels count as one class "fg"."""
import json

import numpy as np
import pytest
import torch
from pycocotools import mask as mask_utils

from cuts3d.evaluation import STAT_NAMES, ClassAgnosticCocoMetric
from cuts3d.evaluation.class_agnostic_metric import stat_table

SIZE = 32
BOXES = [(2, 2, 12, 12), (16, 10, 30, 28)]  # x1, y1, x2, y2 (exclusive)


def _masks():
    masks = np.zeros((len(BOXES), SIZE, SIZE), dtype=bool)
    for mask, (x1, y1, x2, y2) in zip(masks, BOXES):
        mask[y1:y2, x1:x2] = True
    return masks


@pytest.fixture
def gt_file(tmp_path):
    """Two objects of two different categories (ids 3 and 7) on one image."""
    anns = []
    for i, mask in enumerate(_masks()):
        rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
        anns.append(dict(id=i + 1, image_id=1, category_id=(3, 7)[i], segmentation=dict(
            size=rle['size'], counts=rle['counts'].decode()), area=float(mask.sum()),
            bbox=[float(v) for v in mask_utils.toBbox(rle)], iscrowd=0))
    gt = dict(images=[dict(id=1, file_name='a.png', width=SIZE, height=SIZE)], annotations=anns,
              categories=[dict(id=3, name='cat'), dict(id=7, name='dog')])
    path = tmp_path / 'gt.json'
    path.write_text(json.dumps(gt))
    return str(path)


def _sample(masks, boxes, labels, scores):
    return dict(img_id=1, ori_shape=(SIZE, SIZE), pred_instances=dict(
        bboxes=torch.tensor(boxes, dtype=torch.float32), scores=torch.tensor(scores), labels=torch.tensor(labels),
        masks=torch.from_numpy(masks)))


def _evaluate(gt_file, sample):
    metric = ClassAgnosticCocoMetric(ann_file=gt_file)
    metric.dataset_meta = dict(classes=('fg', ))
    metric.process({}, [sample])
    return metric.evaluate(size=1)


def test_exact_predictions_with_any_label_score_perfectly(gt_file):
    boxes = [[x1, y1, x2, y2] for x1, y1, x2, y2 in BOXES]
    results = _evaluate(gt_file, _sample(_masks(), boxes, [0, 5], [0.9, 0.8]))
    for iou_type in ('bbox', 'segm'):
        assert results[f'coco/{iou_type}_mAP'] == pytest.approx(1.0)
        assert results[f'coco/{iou_type}_mAP_50'] == pytest.approx(1.0)
        assert results[f'coco/{iou_type}_AR@100'] == pytest.approx(1.0)
        assert results[f'coco/{iou_type}_AR@1'] == pytest.approx(0.5)  # one detection can find one of the two
    assert not any('@1000' in key or '@300' in key for key in results)


def test_stat_table_uses_the_pseudo_mask_evaluation_names(gt_file):
    boxes = [[x1, y1, x2, y2] for x1, y1, x2, y2 in BOXES]
    table = stat_table(_evaluate(gt_file, _sample(_masks(), boxes, [0, 0], [0.9, 0.8])))
    assert set(table) == {'bbox', 'segm'}
    assert tuple(table['segm']) == STAT_NAMES  # the order and names of tools/eval_pseudo_masks.py
    assert table['segm']['AP'] == pytest.approx(1.0) and table['segm']['AR1'] == pytest.approx(0.5)


def test_a_missed_object_halves_recall(gt_file):
    masks = _masks()[:1]
    results = _evaluate(gt_file, _sample(masks, [list(BOXES[0])], [0], [0.9]))
    assert results['coco/segm_AR@100'] == pytest.approx(0.5)
    assert results['coco/segm_mAP'] == pytest.approx(0.5, abs=0.01)


def test_prediction_labels_are_not_modified_in_place(gt_file):
    sample = _sample(_masks(), [list(b) for b in BOXES], [0, 5], [0.9, 0.8])
    _evaluate(gt_file, sample)
    assert sample['pred_instances']['labels'].tolist() == [0, 5]


def test_needs_ground_truth_file():
    with pytest.raises(ValueError, match='ann_file'):
        ClassAgnosticCocoMetric(ann_file=None)


def test_rejects_other_metrics(gt_file):
    with pytest.raises(ValueError, match='bbox'):
        ClassAgnosticCocoMetric(ann_file=gt_file, metric='proposal')
