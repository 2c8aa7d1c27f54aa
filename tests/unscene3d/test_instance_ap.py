"""The ScanNet-style class-agnostic 3D instance AP on hand-made scenes with known answers."""
import numpy as np
import pytest

from cuts3d.unscene3d.instance_ap import AP_IOUS, evaluate_instance_ap, scannet_average_precision
from cuts3d.unscene3d.segment_ncut_generator import PointInstance

# 40 points: 0-9 void (floor), 10-19 object 1, 20-29 object 2, 30-39 object 3.
GT = np.repeat([0, 1, 2, 3], 10)


def pred(indices, score, num_points=len(GT)):
    mask = np.zeros(num_points, dtype=bool)
    mask[list(indices)] = True
    return PointInstance(mask=mask, score=score)


def ap(predictions, gt=GT, **kwargs):
    return evaluate_instance_ap([predictions], [gt], min_region_size=kwargs.pop('min_region_size', 5), **kwargs)


def test_perfect_prediction_is_one_at_every_threshold():
    result = ap([pred(range(10, 20), 0.9), pred(range(20, 30), 0.8), pred(range(30, 40), 0.7)])
    assert result['AP25'] == result['AP50'] == pytest.approx(1.0) and result['AP'] == pytest.approx(1.0)
    assert set(result['per_iou']) == {0.25, *AP_IOUS} and len(AP_IOUS) == 9  # 0.50 ... 0.90, as ScanNet


def test_one_missing_instance_of_three():
    # two true positives (0.9, 0.8) and one false negative: curve points (r, p) = (2/3, 1), (1/3, 1), (0, 1) with
    # step widths 1/6, 1/3, 1/6 -> AP = 2/3
    result = ap([pred(range(10, 20), 0.9), pred(range(20, 30), 0.8)])
    assert result['AP50'] == pytest.approx(2 / 3)


def test_false_positive_above_the_true_positive_scannet_integration():
    gt = np.repeat([0, 1], 10)
    above = ap([pred(range(10, 20), 0.5, 20), pred(range(2, 9), 0.9, 20)], gt=gt, ignore_void=False)
    assert above['AP50'] == pytest.approx(0.25)  # COCO would say 0.5; ScanNet's step widths give 0.25
    below = ap([pred(range(10, 20), 0.9, 20), pred(range(2, 9), 0.5, 20)], gt=gt, ignore_void=False)
    assert below['AP50'] == pytest.approx(1.0)


def test_predictions_on_void_are_ignored_by_scannet_rules_only():
    floor = pred(range(0, 10), 0.95)
    objects = [pred(range(10, 20), 0.9), pred(range(20, 30), 0.8), pred(range(30, 40), 0.7)]
    assert ap([floor, *objects])['AP50'] == pytest.approx(1.0)
    assert ap([floor, *objects], ignore_void=False)['AP50'] < 1.0


def test_iou_must_exceed_the_threshold():
    gt = np.repeat([0, 1], 10)
    # 5 of the object's 10 points: IoU 0.5 exactly, a false positive (and a miss) at 0.5, a match at 0.25
    half = [pred(range(10, 15), 0.9, 20)]
    result = ap(half, gt=gt, iou_thresholds=(0.25, 0.5))
    assert result['AP25'] == pytest.approx(1.0) and result['AP50'] == 0.0


def test_duplicates_count_once_with_the_higher_score():
    # P1 (0.6) and P2 (0.9) both match object 1; the match keeps 0.9, a false positive gets 0.6; object 2 found at
    # 0.7: sorted scores 0.6 (FP), 0.7 (TP), 0.9 (TP) -> the FP is ranked last and costs nothing
    predictions = [pred(range(10, 20), 0.6), pred(range(10, 19), 0.9), pred(range(20, 30), 0.7),
                   pred(range(30, 40), 0.8)]
    assert ap(predictions)['AP50'] == pytest.approx(1.0)
    y = scannet_average_precision(np.array([0.0, 1, 1, 1]), np.array([0.6, 0.7, 0.9, 0.8]), 0)
    assert y == pytest.approx(1.0)


def test_small_instances_and_small_predictions_are_not_evaluated():
    gt = np.repeat([0, 1, 2], [10, 10, 3])  # object 2 has 3 points
    n = len(gt)
    # min_region_size 5: object 2 is not evaluated (no false negative) and the 3-point prediction is dropped
    assert ap([pred(range(10, 20), 0.9, n), pred(range(20, 23), 0.95, n)], gt=gt)['AP50'] == pytest.approx(1.0)
    # 6 points, 3 on object 1 (IoU 0.23), 3 on the too-small object 2: ignored where more than the threshold of it
    # is ignorable (0.5 > 0.25), a false positive above the true one where not (0.5 <= 0.5)
    result = ap([pred(range(10, 20), 0.9, n), pred(range(17, 23), 0.95, n)], gt=gt)
    assert result['AP25'] == pytest.approx(1.0) and result['AP50'] == pytest.approx(0.25)
    # min_region_size 3: object 2 counts, and is missed
    assert ap([pred(range(10, 20), 0.9, n)], gt=gt, min_region_size=3)['AP50'] == pytest.approx(0.5)


def test_no_predictions_and_no_ground_truth():
    assert ap([])['AP50'] == 0.0
    assert np.isnan(ap([pred(range(0, 10), 0.9)], gt=np.zeros(40, dtype=int))['AP50'])


def test_pooling_over_scenes_and_bad_input():
    second = np.repeat([0, 1], 20)
    result = evaluate_instance_ap([[pred(range(10, 40), 0.9)], [PointInstance(second == 1, 0.5)]],
                                  [np.repeat([0, 1], [10, 30]), second], min_region_size=5)
    assert result['AP50'] == pytest.approx(1.0)
    with pytest.raises(ValueError, match='2 prediction lists for 1 scenes'):
        evaluate_instance_ap([[], []], [GT])
    with pytest.raises(ValueError, match='the scene has 40 points'):
        evaluate_instance_ap([[PointInstance(np.ones(3, bool), 1.0)]], [GT])
    with pytest.raises(ValueError, match='one integer id per point'):
        evaluate_instance_ap([[]], [GT.astype(float)])
    with pytest.raises(ValueError, match='min_region_size'):
        evaluate_instance_ap([[]], [GT], min_region_size=0)
