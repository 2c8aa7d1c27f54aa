"""ConfidentCopyPaste: confident selection and Spatial-Confidence alpha blending (CutS3D eq. 5)."""
import numpy as np
import pytest
from mmdet.structures.mask import BitmapMasks

from cuts3d.datasets import ConfidentCopyPaste, LoadSpatialConfidence, confidence_alpha_blend
from cuts3d.structures.rle import encode_spatial_confidence
from cuts3d.structures.spatial_confidence_masks import SpatialConfidenceMasks

SIZE = 12


def results_of(masks, value, levels=None, num_levels=None, scores=None, sc_means=None):
    masks = np.array(masks, np.uint8).reshape(-1, SIZE, SIZE)
    gt_masks = SpatialConfidenceMasks(masks, SIZE, SIZE, levels, num_levels, scores, sc_means)
    return {'img': np.full((SIZE, SIZE, 3), value, np.uint8), 'img_shape': (SIZE, SIZE),
            'gt_bboxes': gt_masks.get_bboxes('hbox'), 'gt_bboxes_labels': np.zeros(len(masks), np.int64),
            'gt_ignore_flags': np.zeros(len(masks), bool), 'gt_masks': gt_masks}


def squares(count):
    masks = np.zeros((count, SIZE, SIZE), np.uint8)
    for i in range(count):
        masks[i, i * 2:i * 2 + 2, 0:2] = 1
    return masks


def test_confident_selection_takes_the_highest_mean_confidence():
    transform = ConfidentCopyPaste()
    masks = SpatialConfidenceMasks(squares(4), SIZE, SIZE, sc_means=[0.2, 0.9, 0.5, 0.7])
    transform._paste_count = lambda count: 2
    assert transform._choose(masks).tolist() == [1, 3]
    transform._paste_count = lambda count: 3
    selected = transform._select_object(results_of(squares(4), 0, sc_means=[0.2, 0.9, 0.5, 0.7]))
    np.testing.assert_allclose(selected['gt_masks'].sc_means, [0.9, 0.7, 0.5])
    assert len(selected['gt_bboxes']) == len(selected['gt_bboxes_labels']) == 3


def test_selection_ranks_by_mean_confidence_not_by_a_self_training_detection_score():
    # After a self-training round the json mixes pseudo-masks (score = mean SC) and model predictions (score =
    # detection score, no SC map). Copy-paste must rank by the mean SC of each mask, never by the detector's score.
    masks = np.zeros((2, SIZE, SIZE), np.uint8)
    masks[0, :4, :4] = masks[1, 6:, 6:] = 1
    levels = masks[0] * 4
    levels[0] = 2                                   # a pseudo-mask with mean SC 0.875
    instances = [dict(score=0.875, sc_mean=0.875, spatial_confidence=encode_spatial_confidence(levels / 4, 4)),
                 dict(score=0.75)]                  # a kept prediction: detection score 0.75, no SC
    results = LoadSpatialConfidence()(dict(gt_masks=BitmapMasks(masks, SIZE, SIZE), instances=instances,
                                           ori_shape=(SIZE, SIZE)))
    loaded = results['gt_masks']
    np.testing.assert_allclose(loaded.scores, [0.875, 0.75])
    np.testing.assert_allclose(loaded.sc_means, [0.875, 1.0])
    transform = ConfidentCopyPaste()
    transform._paste_count = lambda count: 1
    assert transform._choose(loaded).tolist() == [1]


def test_confident_selection_keeps_cutler_count():
    transform = ConfidentCopyPaste()
    masks = SpatialConfidenceMasks(squares(5), SIZE, SIZE, sc_means=[0.1, 0.2, 0.3, 0.4, 0.5])
    np.random.seed(0)
    chosen = [tuple(transform._choose(masks).tolist()) for _ in range(100)]
    assert set(chosen) == {(4,), (4, 3), (4, 3, 2), (4, 3, 2, 1)}


def test_random_selection_is_cutler():
    transform = ConfidentCopyPaste(select='random')
    masks = SpatialConfidenceMasks(squares(5), SIZE, SIZE, scores=[0.1, 0.2, 0.3, 0.4, 0.5])
    np.random.seed(1)
    assert len({tuple(transform._choose(masks).tolist()) for _ in range(100)}) > 4


def test_alpha_blend_follows_equation_5():
    mask = np.zeros((SIZE, SIZE), np.uint8)
    mask[2:6, 2:6] = 1
    levels = mask * 4
    levels[2, 2:6] = 3  # SC 0.75
    levels[3, 2:6] = 2  # SC 0.5
    levels[4, 2] = 0  # inside the mask but SC 0: eq. (5) keeps the target pixel
    levels[6, 2:6] = 1  # SC outside the pasted instance counts as 0
    source = results_of([mask], 200, [levels], [4], [0.8])
    target = results_of([np.zeros((SIZE, SIZE))], 40)
    target['gt_masks'] = target['gt_masks'][np.zeros(0, int)]
    transform = ConfidentCopyPaste(alpha_blend=True)
    transform._placement = lambda height, width: (SIZE, SIZE, 0, 0)
    out = transform(dict(target, mix_results=[source]))

    sc = np.where(mask > 0, levels / 4, 0.0)
    expected = np.rint(sc * 200 + (1 - sc) * 40)
    np.testing.assert_array_equal(out['img'][..., 1], expected)
    assert out['img'][2, 3, 0] == 160 and out['img'][3, 3, 0] == 120 and out['img'][5, 5, 0] == 200
    assert out['img'][4, 2, 0] == 40 and out['img'][6, 3, 0] == 40
    np.testing.assert_array_equal(out['gt_masks'].masks[0], mask)  # the pasted mask stays binary


def test_alpha_blend_with_scalar_mean_confidence():
    mask = np.zeros((SIZE, SIZE), np.uint8)
    mask[1:4, 1:4] = 1
    transform = ConfidentCopyPaste(alpha_blend=True, alpha_source='mean')
    transform._placement = lambda height, width: (SIZE, SIZE, 0, 0)
    target = results_of([np.zeros((SIZE, SIZE))], 40)
    target['gt_masks'] = target['gt_masks'][np.zeros(0, int)]
    out = transform(dict(target, mix_results=[results_of([mask], 200, [mask * 4], [4], [0.9], [0.25])]))
    np.testing.assert_array_equal(out['img'][..., 2], np.where(mask > 0, 80, 40))


def test_blend_function_on_float_images():
    source = np.full((2, 2, 3), 1.0, np.float32)
    target = np.zeros((2, 2, 3), np.float32)
    alpha = np.array([[0.0, 0.25], [0.5, 1.0]])
    np.testing.assert_allclose(confidence_alpha_blend(source, target, alpha)[..., 0], alpha)
    with pytest.raises(ValueError, match='one size'):
        confidence_alpha_blend(source, target, np.zeros((3, 3)))


def test_confidence_features_need_sc_masks():
    transform = ConfidentCopyPaste()  # held: mmcv's cache_randomness keeps only a weak reference
    with pytest.raises(TypeError, match='confident selection needs masks with Spatial Confidence'):
        transform._choose(BitmapMasks(squares(2), SIZE, SIZE))


@pytest.mark.parametrize('kwargs, message', [(dict(select='best'), 'select'), (dict(alpha_source='score'), 'alpha')])
def test_bad_arguments_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ConfidentCopyPaste(**kwargs)
