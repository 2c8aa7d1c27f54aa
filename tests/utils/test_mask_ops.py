"""Mask resizing and the confidence upsampling that keeps a constant map constant."""
import numpy as np
import pytest

from cuts3d.utils.mask_ops import (confidence_to_image, mask_iou, resize_map_bilinear, resize_mask_smooth,
                                   resize_rgb, upsample_nearest)


def test_mask_iou():
    a = np.zeros((4, 4), bool)
    b = np.zeros((4, 4), bool)
    assert mask_iou(a, b) == 0.0
    a[:2] = True
    b[1:3] = True
    assert mask_iou(a, b) == 4 / 12


def test_mask_iou_of_partly_overlapping_masks():
    """The IoU the dense CRF's discard rule uses (cuts3d/cutting/dense_crf.py)."""
    first = np.array([[1, 1, 0, 0]], bool)
    second = np.array([[0, 1, 1, 0]], bool)
    assert mask_iou(first, second) == pytest.approx(1 / 3)
    assert mask_iou(first, first) == 1.0
    assert mask_iou(np.zeros((2, 2), bool), np.zeros((2, 2), bool)) == 0.0


def test_upsample_nearest_makes_blocks():
    grid = np.array([[True, False], [False, True]])
    out = upsample_nearest(grid, (4, 6))
    assert out.shape == (4, 6)
    assert out[:2, :3].all() and not out[:2, 3:].any() and out[2:, 3:].all()


def test_resize_mask_smooth_keeps_a_block_and_its_aspect():
    mask = np.zeros((40, 40), bool)
    mask[10:30, 10:30] = True
    out = resize_mask_smooth(mask, (20, 80))
    assert out.shape == (20, 80)
    assert out[5:15, 20:60].all() and not out[:4].any()


def test_resize_rgb_and_bilinear_shapes():
    image = np.zeros((10, 20, 3), np.uint8)
    assert resize_rgb(image, (16, 8)).shape == (16, 8, 3)
    assert resize_rgb(image, (10, 20)) is image
    assert resize_map_bilinear(np.ones((3, 3)), (9, 12)).shape == (9, 12)


def test_constant_confidence_stays_constant_up_to_the_mask_border():
    instance = np.zeros((6, 6), bool)
    instance[1:4, 1:4] = True
    confidence = np.where(instance, 1.0, 0.0).astype(np.float32)
    mask = upsample_nearest(instance, (48, 48))
    mask[6:8, 8:32] = True  # pixels a refiner added just outside the patch instance
    out = confidence_to_image(confidence, instance, mask)
    assert out.dtype == np.float32 and out.shape == (48, 48)
    np.testing.assert_allclose(out[mask], 1.0)
    assert not out[~mask].any()


def test_confidence_floor_inside_the_instance_survives_upsampling():
    instance = np.zeros((4, 4), bool)
    instance[1:3, 1:3] = True
    confidence = np.full((4, 4), 0.2, np.float32)  # a looser cut's value outside the instance
    confidence[instance] = [0.5, 1.0, 1.0, 0.5]
    mask = upsample_nearest(instance, (32, 32))
    out = confidence_to_image(confidence, instance, mask)
    assert out[mask].min() >= 0.5 - 1e-6 and out[mask].max() <= 1.0
    assert 0.5 < out[mask].mean() < 1.0
