"""The self-training merge (cuts3d/evaluation/self_training_merge.py): kept predictions replace overlapping previous
annotations."""
import numpy as np
import pytest
from pycocotools import mask as mask_utils

from cuts3d.evaluation.self_training_merge import build_round_annotations, merge_with_previous, prediction_annotation

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
