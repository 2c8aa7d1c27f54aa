"""SoftTargetMaskHead: each positive RoI's mask BCE is weighted by its ground truth's score (CuVLER)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmdet.models.task_modules.assigners import AssignResult
from mmdet.models.task_modules.samplers import SamplingResult
from mmdet.structures.mask import BitmapMasks
from mmengine.config import ConfigDict
from mmengine.structures import InstanceData

SIZE = 64
GT = torch.tensor([[8., 8., 30., 30.], [34., 34., 60., 60.]])
TRAIN_CFG = ConfigDict(mask_size=28)


def _sampling_result(gt_inds):
    """One positive RoI per entry of ``gt_inds``: the box of that ground truth, assigned to it."""
    gt_inds = torch.tensor(gt_inds)
    assign = AssignResult(2, gt_inds + 1, torch.ones(len(gt_inds)), torch.zeros(len(gt_inds), dtype=torch.long))
    return SamplingResult(pos_inds=torch.arange(len(gt_inds)), neg_inds=torch.tensor([], dtype=torch.long),
                          priors=GT[gt_inds], gt_bboxes=GT, assign_result=assign,
                          gt_flags=torch.zeros(len(gt_inds), dtype=torch.uint8))


def _gt(scores=None):
    masks = np.zeros((2, SIZE, SIZE), np.uint8)
    masks[0, 12:26, 10:28] = 1
    masks[1, 40:56, 36:50] = 1
    gt = InstanceData(bboxes=GT, labels=torch.zeros(2, dtype=torch.long), masks=BitmapMasks(masks, SIZE, SIZE))
    if scores is not None:
        gt.scores = torch.tensor(scores)
    return gt


def _mask_preds(num):
    torch.manual_seed(0)
    return torch.randn(num, 1, 28, 28)


@pytest.fixture(scope='module')
def heads(mmdet_mask_head, build_mask_head):
    return mmdet_mask_head, build_mask_head('SoftTargetMaskHead')


def test_each_roi_is_weighted_by_its_ground_truth_score_by_hand(heads):
    _, soft = heads
    preds, result = _mask_preds(3), _sampling_result([1, 0, 1])
    out = soft.loss_and_target(preds, [result], [_gt([0.8, 0.3])], TRAIN_CFG)
    bce = F.binary_cross_entropy_with_logits(preds[:, 0], out['mask_targets'], reduction='none').mean(dim=(1, 2))
    expected = (0.3 * bce[0] + 0.8 * bce[1] + 0.3 * bce[2]) / 3  # mean over all pixels of all RoIs
    assert out['loss_mask']['loss_mask'].item() == pytest.approx(expected.item(), rel=1e-5)


def test_scores_of_one_give_mmdet_mask_loss(heads):
    plain, soft = heads
    preds, result = _mask_preds(3), _sampling_result([1, 0, 1])
    expected = plain.loss_and_target(preds, [result], [_gt()], TRAIN_CFG)['loss_mask']['loss_mask']
    loss = soft.loss_and_target(preds, [result], [_gt([1.0, 1.0])], TRAIN_CFG)['loss_mask']['loss_mask']
    torch.testing.assert_close(loss, expected.reshape(()))  # mmdet's mask loss has shape (1,)


def test_ground_truth_without_scores_is_rejected(heads):
    _, soft = heads
    with pytest.raises(ValueError, match='PackPseudoMaskInputs'):
        soft.loss_and_target(_mask_preds(1), [_sampling_result([0])], [_gt()], TRAIN_CFG)


def test_no_positive_rois_gives_zero_loss(heads, no_positive_sampling_result):
    _, soft = heads
    empty = no_positive_sampling_result(GT)
    loss = soft.loss_and_target(torch.zeros(0, 1, 28, 28), [empty], [_gt([0.5, 0.5])], TRAIN_CFG)
    assert loss['loss_mask']['loss_mask'].item() == 0.0
