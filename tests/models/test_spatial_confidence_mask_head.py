"""SpatialConfidenceMaskHead: eq. (6) weights reach the mask loss per RoI, and without SC it is mmdet's loss."""
import numpy as np
import pytest
import torch
from mmdet.models.task_modules.assigners import AssignResult
from mmdet.models.task_modules.samplers import SamplingResult
from mmdet.structures.mask import BitmapMasks
from mmengine.config import ConfigDict
from mmengine.structures import InstanceData

from cuts3d.structures.spatial_confidence_masks import SpatialConfidenceMasks

SIZE = 64
BOX = torch.tensor([[16., 16., 48., 48.]])
TRAIN_CFG = ConfigDict(mask_size=28)


def _sampling_result():
    """One positive RoI (the GT box itself) assigned to GT 0."""
    assign = AssignResult(1, torch.tensor([1]), torch.tensor([1.0]), torch.tensor([0]))
    return SamplingResult(pos_inds=torch.tensor([0]), neg_inds=torch.tensor([], dtype=torch.long), priors=BOX,
                          gt_bboxes=BOX, assign_result=assign, gt_flags=torch.ones(1, dtype=torch.uint8))


def _masks(sc_level=None, levels=2):
    """The instance fills BOX; its SC map (level ``sc_level`` of ``levels``) also covers a 4 px band around it, as
    LocalCuts at lower thresholds reach beyond the final mask, so every RoIAlign sample inside BOX sees it."""
    mask = np.zeros((1, SIZE, SIZE), np.uint8)
    mask[0, 16:48, 16:48] = 1
    if sc_level is None:
        return BitmapMasks(mask, SIZE, SIZE)
    sc = np.zeros_like(mask)
    sc[0, 12:52, 12:52] = sc_level
    return SpatialConfidenceMasks(mask, SIZE, SIZE, sc, [levels], [sc_level / levels])


def _loss(head, masks):
    torch.manual_seed(0)
    mask_preds = torch.randn(1, 1, 28, 28)
    gt = InstanceData(bboxes=BOX, labels=torch.zeros(1, dtype=torch.long), masks=masks)
    return head.loss_and_target(mask_preds, [_sampling_result()], [gt], TRAIN_CFG)['loss_mask']['loss_mask']


@pytest.fixture(scope='module')
def heads(mmdet_mask_head, build_mask_head):
    return mmdet_mask_head, build_mask_head('SpatialConfidenceMaskHead')


def test_masks_without_confidence_give_mmdet_mask_loss(heads):
    plain, sc = heads
    assert torch.allclose(_loss(sc, _masks()), _loss(plain, _masks()), atol=1e-6)


def test_full_confidence_gives_mmdet_mask_loss(heads):
    plain, sc = heads
    assert torch.allclose(_loss(sc, _masks(sc_level=2)), _loss(plain, _masks()), atol=1e-6)


def test_half_confidence_over_the_roi_halves_the_loss(heads):
    plain, sc = heads
    # SC = 1/2 on every pixel of the instance, and the RoI is the instance box: every target pixel has weight 1/2.
    assert torch.allclose(_loss(sc, _masks(sc_level=1)), 0.5 * _loss(plain, _masks()), atol=1e-6)


def test_no_positive_rois_gives_zero_loss(heads, no_positive_sampling_result):
    _, sc = heads
    gt = InstanceData(bboxes=BOX, labels=torch.zeros(1, dtype=torch.long), masks=_masks(sc_level=1))
    empty = no_positive_sampling_result(BOX)
    loss = sc.loss_and_target(torch.zeros(0, 1, 28, 28), [empty], [gt], TRAIN_CFG)['loss_mask']['loss_mask']
    assert loss.item() == 0.0
