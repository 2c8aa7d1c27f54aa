"""SpatialConfidenceMaskLoss (CutS3D eq. 6) and its per-RoI weight targets."""
import math

import numpy as np
import pytest
import torch
from mmdet.models.losses import CrossEntropyLoss
from mmdet.structures.mask import BitmapMasks, mask_target
from mmengine.config import ConfigDict

from cuts3d.structures.spatial_confidence_masks import SpatialConfidenceMasks
from cuts3d.models.losses import SpatialConfidenceMaskLoss, spatial_confidence_target
from cuts3d.registry import MODELS


def bce(logit, target):
    p = 1 / (1 + math.exp(-logit))
    return -(target * math.log(p) + (1 - target) * math.log(1 - p))


def test_loss_matches_a_hand_computation():
    logits = [[0.5, -1.0], [2.0, 0.0], [-0.3, 1.2], [0.7, -2.0]]
    targets = [[1, 0], [1, 1], [0, 1], [0, 0]]
    weights = [[1.0, 0.5], [0.75, 1.0], [0.25, 1.0], [1.0, 0.5]]
    pred = torch.tensor(logits).view(2, 1, 2, 2)
    loss = SpatialConfidenceMaskLoss(loss_weight=2.0)(pred, torch.tensor(targets, dtype=torch.float).view(2, 2, 2),
                                                       torch.zeros(2, dtype=torch.long),
                                                       sc_weights=torch.tensor(weights).view(2, 2, 2))
    by_hand = sum(w * bce(x, t) for row_x, row_t, row_w in zip(logits, targets, weights)
                  for x, t, w in zip(row_x, row_t, row_w)) / 8
    assert loss.item() == pytest.approx(2.0 * by_hand, rel=1e-6)


def test_sc_of_one_is_mmdet_mask_cross_entropy():
    torch.manual_seed(0)
    pred = torch.randn(5, 3, 7, 7)
    targets = (torch.rand(5, 7, 7) > 0.5).float()
    labels = torch.tensor([0, 2, 1, 1, 0])
    reference = CrossEntropyLoss(use_mask=True, loss_weight=1.0)(pred, targets, labels)
    ours = SpatialConfidenceMaskLoss()
    torch.testing.assert_close(ours(pred, targets, labels), reference.squeeze())
    torch.testing.assert_close(ours(pred, targets, labels, sc_weights=torch.ones(5, 7, 7)), reference.squeeze())


def test_per_roi_weights_are_cuvler_score_weighting():
    torch.manual_seed(1)
    pred, targets = torch.randn(3, 1, 4, 4), (torch.rand(3, 4, 4) > 0.5).float()
    labels, scores = torch.zeros(3, dtype=torch.long), torch.tensor([0.2, 0.6, 1.0])
    loss = SpatialConfidenceMaskLoss()
    torch.testing.assert_close(loss(pred, targets, labels, sc_weights=scores),
                               loss(pred, targets, labels, sc_weights=scores[:, None, None].expand(3, 4, 4)))


def test_gradient_flows_and_empty_input_gives_zero():
    pred = torch.randn(2, 1, 3, 3, requires_grad=True)
    loss = SpatialConfidenceMaskLoss()(pred, torch.ones(2, 3, 3), torch.zeros(2, dtype=torch.long),
                                       sc_weights=torch.full((2, 3, 3), 0.5))
    loss.backward()
    assert pred.grad.abs().sum() > 0
    empty = torch.zeros(0, 1, 3, 3, requires_grad=True)
    assert SpatialConfidenceMaskLoss()(empty, torch.zeros(0, 3, 3), torch.zeros(0, dtype=torch.long)).item() == 0


def test_mismatched_shapes_are_rejected():
    loss = SpatialConfidenceMaskLoss()
    with pytest.raises(ValueError, match='mask targets'):
        loss(torch.zeros(2, 1, 3, 3), torch.zeros(2, 4, 4), torch.zeros(2, dtype=torch.long))
    with pytest.raises(ValueError, match='sc_weights'):
        loss(torch.zeros(2, 1, 3, 3), torch.zeros(2, 3, 3), torch.zeros(2, dtype=torch.long),
             sc_weights=torch.zeros(2, 4, 4))
    with pytest.raises(ValueError, match='reduction'):
        SpatialConfidenceMaskLoss(reduction='avg')


def test_builds_from_the_registry():
    assert isinstance(MODELS.build(dict(type='SpatialConfidenceMaskLoss', loss_weight=0.5)),
                      SpatialConfidenceMaskLoss)


def sc_masks():
    """Instance 0: SC 0.5 inside its mask (T = 2), 1/2 on a ring outside; instance 1: no SC beyond its mask."""
    masks = np.zeros((2, 16, 20), np.uint8)
    masks[0, 4:12, 5:15] = 1
    masks[1, 0:6, 0:8] = 1
    levels = masks.copy()
    levels[0, 3, 5:15] = 1
    return SpatialConfidenceMasks(masks, 16, 20, levels, [2, 1], [0.5, 1.0])


def test_weights_are_sc_inside_the_map_and_one_outside():
    masks = sc_masks()
    full = torch.tensor([[0.0, 0.0, 20.0, 16.0], [0.0, 0.0, 20.0, 16.0]])
    weights = spatial_confidence_target([full], [torch.tensor([0, 1])], [masks], dict(mask_size=(16, 20)))
    sc = masks.confidence()
    expected = np.where(sc > 0, sc, 1.0)
    np.testing.assert_allclose(weights.numpy(), expected, atol=1e-6)
    assert weights[0, 3, 6].item() == pytest.approx(0.5) and weights[0, 0, 0].item() == pytest.approx(1.0)


def test_weights_are_aligned_with_mmdet_mask_targets_for_any_box():
    """SC 0.5 inside the mask, 1 elsewhere: the weight target must be 1 - 0.5 * soft mask target, RoI by RoI."""
    masks = SpatialConfidenceMasks(sc_masks().masks[:1], 16, 20, num_levels=[2])
    masks.sc_levels = masks.masks.copy()  # level 1 of 2 inside the mask
    boxes = torch.tensor([[3.3, 2.1, 17.6, 13.9], [6.0, 5.5, 9.2, 8.1], [-4.0, -2.0, 30.0, 20.0]])
    inds = torch.zeros(3, dtype=torch.long)
    weights = spatial_confidence_target([boxes], [inds], [masks], ConfigDict(mask_size=7))
    soft = mask_target([boxes], [inds], [masks.to_bitmap_masks()], ConfigDict(mask_size=7, soft_mask_target=True))
    torch.testing.assert_close(weights, 1 - 0.5 * soft)
    assert weights.shape == (3, 7, 7) and weights.min() == 0.5 and weights.max() == 1
    assert ((weights > 0.5) & (weights < 1)).any()  # boundary bins average the two sides


def test_plain_masks_and_several_images_give_ones_in_roi_order():
    plain = BitmapMasks(np.ones((1, 8, 8), np.uint8), 8, 8)
    boxes = [torch.tensor([[0.0, 0.0, 8.0, 8.0]]), torch.tensor([[0.0, 0.0, 20.0, 16.0]] * 2)]
    weights = spatial_confidence_target(boxes, [torch.tensor([0]), torch.tensor([1, 0])], [plain, sc_masks()],
                                        dict(mask_size=(16, 20)))
    assert weights.shape == (3, 16, 20)
    torch.testing.assert_close(weights[:2], torch.ones(2, 16, 20))  # bilinear weights sum to 1 up to rounding
    assert weights[2, 3, 6].item() == pytest.approx(0.5)
