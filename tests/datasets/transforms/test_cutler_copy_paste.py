"""CutLERCopyPaste: placement, CutLER's >= 50 % cover rule, occlusion cuts and boxes, on constructed examples."""
import numpy as np
import pytest
from mmdet.structures.mask import BitmapMasks

from cuts3d.datasets import CutLERCopyPaste
from cuts3d.structures.spatial_confidence_masks import SpatialConfidenceMasks

SIZE = 40


def rect(rows, cols, size=(SIZE, SIZE)):
    mask = np.zeros(size, np.uint8)
    mask[rows[0]:rows[1], cols[0]:cols[1]] = 1
    return mask


def results_of(masks, value, levels=None, num_levels=None, scores=None, plain=False, size=(SIZE, SIZE)):
    masks = np.array(masks, np.uint8).reshape(-1, *size)
    gt_masks = BitmapMasks(masks, *size) if plain else SpatialConfidenceMasks(masks, *size, levels, num_levels,
                                                                               scores)
    return {'img': np.full((*size, 3), value, np.uint8), 'img_shape': size,
            'gt_bboxes': gt_masks.get_bboxes('hbox'), 'gt_bboxes_labels': np.zeros(len(masks), np.int64),
            'gt_ignore_flags': np.zeros(len(masks), bool), 'gt_masks': gt_masks}


def paste(transform, target, source, placement=(SIZE, SIZE, 0, 0), chosen=None):
    """Run the transform with a fixed placement (new_h, new_w, top, left) and fixed chosen source objects."""
    transform._placement = lambda height, width: placement
    transform._choose = lambda masks: np.arange(len(masks)) if chosen is None else np.asarray(chosen)
    return transform(dict(target, mix_results=[source]))


def boxes_from(masks):
    boxes = []
    for mask in masks:
        ys, xs = np.nonzero(mask)
        boxes.append([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1])
    return np.array(boxes, np.float32)


def test_source_is_scaled_and_shifted_and_carries_its_sc():
    target = results_of([rect((30, 36), (30, 36))], value=50, scores=[0.4])
    source_mask = rect((8, 16), (4, 12))
    source = results_of([source_mask], value=200, levels=[source_mask * 2], num_levels=[2], scores=[0.6])
    out = paste(CutLERCopyPaste(), target, source, placement=(20, 20, 5, 10))

    expected = np.zeros((SIZE, SIZE), np.uint8)
    expected[5:25, 10:30] = source_mask[::2, ::2]  # nearest-neighbour halving, then the offset
    assert expected[9:13, 12:16].all() and expected.sum() == 16
    masks = out['gt_masks']
    np.testing.assert_array_equal(masks.masks[1], expected)
    np.testing.assert_array_equal(masks.sc_levels[1], 2 * expected)
    np.testing.assert_array_equal(masks.masks[0], target['gt_masks'].masks[0])
    np.testing.assert_allclose(masks.scores, [0.4, 0.6])
    np.testing.assert_array_equal(out['gt_bboxes'].numpy(), [[30, 30, 36, 36], [12, 9, 16, 13]])
    np.testing.assert_array_equal(out['img'][..., 0], np.where(expected, 200, 50))
    assert out['gt_bboxes_labels'].tolist() == [0, 0] and out['gt_ignore_flags'].tolist() == [False, False]


def test_occluded_target_is_cut_emptied_one_removed_and_boxes_recomputed():
    line = rect((10, 11), (10, 13))  # 3 pixels: each pasted object below covers one (33 %)
    block = rect((20, 30), (20, 30))  # 100 pixels: the last pasted object covers 20 of them
    target = results_of([line, block], value=50, levels=[line, block * 3], num_levels=[1, 3], scores=[0.5, 0.8])
    objects = [rect((10, 11), (10, 11)) | rect((0, 5), (0, 5)), rect((10, 11), (11, 12)) | rect((0, 5), (30, 35)),
               rect((10, 11), (12, 13)) | rect((35, 40), (0, 5)), rect((20, 30), (20, 22))]
    source = results_of(objects, value=200, scores=[0.1, 0.2, 0.3, 0.9])
    out = paste(CutLERCopyPaste(), target, source)

    masks = out['gt_masks']
    assert len(masks) == 5  # the line is gone, the block survives, four objects were pasted
    cut_block = rect((20, 30), (22, 30))
    np.testing.assert_array_equal(masks.masks[0], cut_block)
    np.testing.assert_array_equal(masks.sc_levels[0], 3 * cut_block)  # SC is cut with the mask
    np.testing.assert_allclose(masks.scores, [0.8, 0.1, 0.2, 0.3, 0.9])
    np.testing.assert_array_equal(out['gt_bboxes'].numpy(), boxes_from(masks.masks))
    assert out['gt_bboxes'].numpy()[0].tolist() == [22, 20, 30, 30]
    assert len(out['gt_bboxes_labels']) == len(out['gt_ignore_flags']) == 5


@pytest.mark.parametrize('pasted, kept', [
    (rect((10, 15), (10, 20)), False),  # covers exactly 50 % of the target: dropped
    (rect((10, 14), (10, 20)) | rect((14, 15), (10, 19)), True),  # 49 %: kept
    (rect((5, 35), (5, 35)), False),  # IoU with the target only 0.11, but covers all of it: dropped
])
def test_pasted_object_covering_half_a_target_mask_is_dropped(pasted, kept):
    block = rect((10, 20), (10, 20))
    target = results_of([block], value=50)
    out = paste(CutLERCopyPaste(), results_of([block], value=50), results_of([pasted], value=200))
    if kept:
        assert len(out['gt_masks']) == 2
        np.testing.assert_array_equal(out['gt_masks'].masks[0], block * (1 - pasted))
    else:  # nothing left to paste: the target comes back as it was
        assert len(out['gt_masks']) == 1
        np.testing.assert_array_equal(out['gt_masks'].masks, target['gt_masks'].masks)
        np.testing.assert_array_equal(out['img'], target['img'])


def test_only_offending_objects_are_dropped():
    block = rect((10, 20), (10, 20))
    source = results_of([rect((10, 20), (10, 20)), rect((30, 35), (30, 35))], value=200, scores=[0.3, 0.7])
    out = paste(CutLERCopyPaste(), results_of([block], value=50, scores=[0.5]), source)
    np.testing.assert_allclose(out['gt_masks'].scores, [0.5, 0.7])


def test_empty_target_receives_every_chosen_object():
    target = results_of(np.zeros((0, SIZE, SIZE)), value=50)
    source = results_of([rect((0, 10), (0, 10)), rect((20, 30), (5, 9))], value=200)
    out = paste(CutLERCopyPaste(), target, source, placement=(SIZE, SIZE, 0, 0))
    assert len(out['gt_masks']) == 2
    np.testing.assert_array_equal(out['gt_bboxes'].numpy(), [[0, 0, 10, 10], [5, 20, 9, 30]])


def test_objects_that_vanish_when_shrunk_are_not_pasted():
    dot = rect((11, 12), (11, 12))  # odd row and column: nearest halving samples only even ones
    out = paste(CutLERCopyPaste(), results_of([rect((0, 4), (0, 4))], value=50),
                results_of([dot, rect((0, 10), (0, 10))], value=200), placement=(20, 20, 0, 20))
    assert len(out['gt_masks']) == 2
    np.testing.assert_array_equal(out['gt_masks'].masks[1], rect((0, 5), (20, 25)))


def test_plain_masks_work_without_spatial_confidence():
    out = paste(CutLERCopyPaste(), results_of([rect((0, 5), (0, 5))], value=50, plain=True),
                results_of([rect((20, 25), (20, 25))], value=200, plain=True))
    assert type(out['gt_masks']) is BitmapMasks and len(out['gt_masks']) == 2


def test_paste_count_follows_cutler():
    transform = CutLERCopyPaste()
    np.random.seed(0)
    assert transform._paste_count(1) == 1
    assert transform._paste_count(2) == 1
    assert {transform._paste_count(5) for _ in range(200)} == {1, 2, 3, 4}
    capped = CutLERCopyPaste(max_num_pasted=2)
    assert {capped._paste_count(5) for _ in range(200)} == {1, 2}


def test_random_choice_has_the_drawn_count_and_no_repeats():
    transform = CutLERCopyPaste()
    masks = SpatialConfidenceMasks(np.ones((6, 2, 2)), 2, 2)
    np.random.seed(1)
    for _ in range(50):
        chosen = transform._choose(masks)
        assert 1 <= len(chosen) <= 5 and len(set(chosen.tolist())) == len(chosen)


def test_unselected_mode_pastes_every_object():
    transform = CutLERCopyPaste(selected=False)
    transform._placement = lambda height, width: (SIZE, SIZE, 0, 0)
    source = results_of([rect((0, 4), (0, 4)), rect((0, 4), (10, 14)), rect((0, 4), (20, 24))], value=200)
    out = transform(dict(results_of([rect((30, 40), (30, 40))], value=50), mix_results=[source]))
    assert len(out['gt_masks']) == 4


def test_source_index_stays_inside_the_dataset():
    transform = CutLERCopyPaste()
    np.random.seed(2)
    assert {transform.get_indexes(range(3)) for _ in range(100)} == {0, 1, 2}


def test_default_placement_fits_the_target():
    transform = CutLERCopyPaste(scale_range=(0.5, 1.0))
    np.random.seed(3)
    for _ in range(100):
        new_h, new_w, top, left = transform._placement(30, 50)
        assert 15 <= new_h <= 30 and 25 <= new_w <= 50
        assert 0 <= top <= 30 - new_h and 0 <= left <= 50 - new_w


def test_probability_zero_leaves_the_image_alone():
    target = results_of([rect((0, 5), (0, 5))], value=50)
    out = CutLERCopyPaste(prob=0.0)(dict(target, mix_results=[results_of([rect((9, 19), (9, 19))], value=200)]))
    assert len(out['gt_masks']) == 1 and (out['img'] == 50).all()


@pytest.mark.parametrize('kwargs, message', [
    (dict(scale_range=(0.0, 1.0)), 'scale_range'), (dict(scale_range=(0.8, 0.5)), 'scale_range'),
    (dict(max_cover=0.0), 'max_cover'), (dict(prob=1.5), 'prob'), (dict(max_num_pasted=0), 'max_num_pasted'),
])
def test_bad_arguments_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        CutLERCopyPaste(**kwargs)
