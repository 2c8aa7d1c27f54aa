"""SpatialConfidenceMasks: level-set decoding, and SC maps that follow stock mmdet transforms like the masks."""
import numpy as np
import pycocotools.mask as mask_utils
import pytest
import torch
from mmdet.datasets.transforms import Pad, RandomCrop, RandomFlip, Resize
from mmdet.structures.bbox import HorizontalBoxes
from mmdet.structures.mask import BitmapMasks
from mmengine.structures import InstanceData

from cuts3d.datasets.transforms import PackPseudoMaskInputs
from cuts3d.structures.rle import decode_confidence_levels
from cuts3d.structures.spatial_confidence_masks import SpatialConfidenceMasks


def encode(mask):
    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    rle['counts'] = rle['counts'].decode('ascii')  # as the json stores it
    return rle


def level_set_entry(levels, num_levels):
    return {'levels': num_levels, 'rles': [encode(levels >= t) for t in range(1, num_levels + 1)]}


def test_decode_level_sets_gives_back_the_levels():
    rng = np.random.default_rng(0)
    levels = rng.integers(0, 7, size=(9, 11)).astype(np.uint8)
    decoded, num_levels = decode_confidence_levels(level_set_entry(levels, 6), 9, 11)
    assert num_levels == 6
    np.testing.assert_array_equal(decoded, levels)


def test_decode_of_raw_binary_cuts_is_their_mean():
    """Eq. (4) SC = mean of the T cuts: the decoder gives the same sum for non-nested sets."""
    rng = np.random.default_rng(1)
    cuts = rng.random((4, 6, 5)) > 0.5
    decoded, num_levels = decode_confidence_levels({'levels': 4, 'rles': [encode(c) for c in cuts]}, 6, 5)
    np.testing.assert_allclose(decoded / num_levels, cuts.mean(axis=0))


@pytest.mark.parametrize('entry, message', [
    ({'levels': 2}, 'dict'),
    ({'levels': 0, 'rles': []}, 'levels'),
    ({'levels': 2.0, 'rles': []}, 'levels'),
    ({'levels': 2, 'rles': [encode(np.ones((4, 4)))]}, 'one RLE per level'),
    ({'levels': 1, 'rles': [encode(np.ones((5, 4)))]}, r'size \[4, 4\]'),
])
def test_decode_rejects_malformed_entries(entry, message):
    with pytest.raises(ValueError, match=message):
        decode_confidence_levels(entry, 4, 4)


def labelled_instances(height=24, width=32):
    """Three rectangles; instance i has SC level i + 1 everywhere inside its mask (T = 3) and score 0.1 * (i + 1).

    The invariant ``sc_levels[i] == (i + 1) * masks[i]`` identifies every instance by its level, so after any
    transform it shows both that SC stays pixel-aligned with the mask and that it stayed with the right instance.
    """
    boxes = [(2, 3, 10, 12), (12, 1, 30, 8), (20, 14, 31, 23)]  # x1, y1, x2, y2 (exclusive)
    masks = np.zeros((3, height, width), np.uint8)
    for i, (x1, y1, x2, y2) in enumerate(boxes):
        masks[i, y1:y2, x1:x2] = 1
    masks[1, 4:6, 20:24] = 0  # a hole, so shapes are not plain boxes
    levels = masks * np.arange(1, 4, dtype=np.uint8)[:, None, None]
    sc_masks = SpatialConfidenceMasks(masks, height, width, levels, [3, 3, 3], [0.1, 0.2, 0.3])
    rng = np.random.default_rng(2)
    return {
        'img': rng.integers(0, 255, (height, width, 3), dtype=np.uint8),
        'img_shape': (height, width), 'ori_shape': (height, width),
        'gt_bboxes': HorizontalBoxes(np.array(boxes, np.float32)),
        'gt_bboxes_labels': np.zeros(3, np.int64),
        'gt_ignore_flags': np.zeros(3, bool),
        'gt_masks': sc_masks,
    }


def assert_levels_follow_masks(masks):
    assert isinstance(masks, SpatialConfidenceMasks)
    assert masks.sc_levels.shape == masks.masks.shape
    for mask, levels, score in zip(masks.masks, masks.sc_levels, masks.scores):
        identity = int(round(score * 10))  # the instance's original index + 1
        np.testing.assert_array_equal(levels, identity * (mask > 0))


def test_horizontal_flip_moves_sc_pixel_exactly():
    results = labelled_instances()
    before = results['gt_masks']
    flipped = RandomFlip(prob=1.0, direction='horizontal')(results)['gt_masks']
    np.testing.assert_array_equal(flipped.sc_levels, before.sc_levels[:, :, ::-1])
    np.testing.assert_array_equal(flipped.masks, before.masks[:, :, ::-1])
    assert_levels_follow_masks(flipped)


def test_resize_keeps_sc_on_the_resized_masks():
    results = labelled_instances()
    resized = Resize(scale=(77, 51), keep_ratio=True)(results)['gt_masks']
    assert (resized.height, resized.width) == results['img'].shape[:2]
    assert_levels_follow_masks(resized)
    # The SC support is the resized mask, which is IoU-consistent with the original mask scaled up.
    original = labelled_instances()['gt_masks']
    upscaled = BitmapMasks(original.masks, 24, 32).resize((resized.height, resized.width)).masks
    inter = np.logical_and(upscaled, resized.sc_levels > 0).sum((1, 2))
    union = np.logical_or(upscaled, resized.sc_levels > 0).sum((1, 2))
    assert (inter / union > 0.99).all()
    np.testing.assert_array_equal(np.unique(resized.sc_levels), [0, 1, 2, 3])


def test_crop_that_drops_an_instance_drops_its_sc_and_score():
    np.random.seed(0)
    results = labelled_instances()
    # A 12 x 12 crop cannot contain both the first and the third box, so RandomCrop filters instances.
    cropped = RandomCrop(crop_size=(12, 12), allow_negative_crop=True)(results)
    masks = cropped['gt_masks']
    assert masks.masks.shape[1:] == (12, 12)
    assert len(masks) == len(cropped['gt_bboxes']) < 3
    assert_levels_follow_masks(masks)


def test_crop_with_fixed_offset_matches_slicing():
    results = labelled_instances()
    cropped = results['gt_masks'].crop(np.array([5, 2, 25, 20]))
    np.testing.assert_array_equal(cropped.sc_levels, results['gt_masks'].sc_levels[:, 2:20, 5:25])
    assert_levels_follow_masks(cropped)


def test_pad_fills_sc_with_zero_whatever_pads_the_masks():
    results = labelled_instances()
    padded = Pad(size=(37, 40), pad_val=dict(img=0, masks=0))(results)['gt_masks']  # size is (w, h)
    assert padded.sc_levels.shape == (3, 40, 37)
    assert_levels_follow_masks(padded)
    ones_padded = labelled_instances()['gt_masks'].pad((40, 37), pad_val=1)
    assert (ones_padded.sc_levels[:, 24:, :] == 0).all()


def test_a_full_training_chain_keeps_the_invariant():
    np.random.seed(3)
    results = labelled_instances()
    for transform in (Resize(scale=(64, 48), keep_ratio=True), RandomFlip(prob=1.0), RandomCrop(crop_size=(40, 40)),
                      Pad(size_divisor=32)):
        results = transform(results)
    assert_levels_follow_masks(results['gt_masks'])
    assert results['gt_masks'].masks.shape[1:] == results['img'].shape[:2]


def test_indexing_concatenation_and_instance_data_slicing():
    masks = labelled_instances()['gt_masks']
    assert_levels_follow_masks(masks[np.array([2, 0])])
    assert_levels_follow_masks(masks[1])
    assert_levels_follow_masks(masks[np.array([True, False, True])])
    joined = SpatialConfidenceMasks.cat([masks[2], masks[:2]])
    np.testing.assert_allclose(joined.scores, [0.3, 0.1, 0.2])
    assert_levels_follow_masks(joined)
    instances = InstanceData(masks=masks, labels=torch.zeros(3))
    assert_levels_follow_masks(instances[torch.tensor([False, True, True])].masks)
    with pytest.raises(TypeError, match='SpatialConfidenceMasks'):
        SpatialConfidenceMasks.cat([masks, BitmapMasks(masks.masks, 24, 32)])


def test_confidence_is_levels_over_level_count():
    masks = SpatialConfidenceMasks(np.ones((2, 2, 2)), 2, 2, np.array([[[1, 2], [0, 4]], [[1, 1], [0, 0]]]), [4, 1])
    np.testing.assert_allclose(masks.confidence(), [[[0.25, 0.5], [0, 1]], [[1, 1], [0, 0]]])


def test_without_sc_the_map_is_the_mask():
    mask = np.zeros((1, 3, 3), np.uint8)
    mask[0, 1, 1] = 1
    masks = SpatialConfidenceMasks(mask, 3, 3)
    np.testing.assert_array_equal(masks.confidence(), mask)
    assert masks.scores.tolist() == [1.0]


def test_inconsistent_construction_is_rejected():
    with pytest.raises(ValueError, match='one SC map, level count and score per mask'):
        SpatialConfidenceMasks(np.ones((2, 3, 3)), 3, 3, np.ones((2, 3, 3)), [1, 1], [1.0])
    with pytest.raises(ValueError, match='level counts'):
        SpatialConfidenceMasks(np.ones((1, 3, 3)), 3, 3, np.ones((1, 3, 3)), [0])


def test_packing_hands_scores_and_sc_to_the_model():
    results = labelled_instances()
    results['gt_ignore_flags'] = np.array([False, True, False])
    packed = PackPseudoMaskInputs()(results)['data_samples']
    assert_levels_follow_masks(packed.gt_instances.masks)
    torch.testing.assert_close(packed.gt_instances.scores, torch.tensor([0.1, 0.3]))
    torch.testing.assert_close(packed.ignored_instances.scores, torch.tensor([0.2]))


def test_packing_refuses_masks_that_lost_their_sc():
    results = labelled_instances()
    results['gt_masks'] = results['gt_masks'].to_bitmap_masks()
    with pytest.raises(TypeError, match='without Spatial Confidence'):
        PackPseudoMaskInputs()(results)
    packed = PackPseudoMaskInputs(require_confidence=False)(results)['data_samples']
    torch.testing.assert_close(packed.gt_instances.scores, torch.ones(3))
