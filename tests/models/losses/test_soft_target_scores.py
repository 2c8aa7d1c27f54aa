"""The soft-target scores: each positive RoI takes the score of the ground truth it is assigned to."""
import pytest
import torch
from mmdet.models.task_modules.assigners import AssignResult
from mmdet.models.task_modules.samplers import SamplingResult
from mmengine.structures import InstanceData

from cuts3d.models.losses import ground_truth_scores, positive_roi_scores

GT = torch.tensor([[0., 0., 10., 10.], [20., 20., 30., 30.], [40., 40., 50., 50.]])


def _instances(**fields):
    return InstanceData(bboxes=GT, labels=torch.zeros(3, dtype=torch.long), **fields)


def test_ground_truth_scores_are_returned_when_valid():
    scores = torch.tensor([0.0, 0.5, 1.0])
    assert torch.equal(ground_truth_scores(_instances(scores=scores)), scores)


@pytest.mark.parametrize('fields, message', [
    ({}, 'PackPseudoMaskInputs'),
    ({'scores': torch.ones(3, 1)}, 'one score per instance'),
    ({'scores': torch.tensor([0.5, 1.2, 0.1])}, r'\[0, 1\]'),
    ({'scores': torch.tensor([0.5, -0.1, 0.1])}, r'\[0, 1\]'),
])
def test_bad_ground_truth_scores_are_rejected(fields, message):
    with pytest.raises(ValueError, match=message):
        ground_truth_scores(_instances(**fields))


def _sampling_result(assigned, negatives):
    """Priors: the GT boxes added as proposals (flags 1), then ``len(assigned)`` proposals assigned to the given GT
    indices, then ``negatives`` background proposals."""
    num = len(GT) + len(assigned) + negatives
    gt_inds = torch.tensor(list(range(1, len(GT) + 1)) + [i + 1 for i in assigned] + [0] * negatives)
    assign = AssignResult(len(GT), gt_inds, torch.ones(num), torch.where(gt_inds > 0, 0, -1))
    priors = torch.cat([GT, GT[assigned] + 1, torch.full((negatives, 4), 60.0) + torch.tensor([0., 0., 5., 5.])])
    flags = torch.tensor([1] * len(GT) + [0] * (num - len(GT)), dtype=torch.uint8)
    return SamplingResult(pos_inds=torch.nonzero(gt_inds > 0).flatten(), neg_inds=torch.nonzero(gt_inds == 0).flatten(),
                          priors=priors, gt_bboxes=GT, assign_result=assign, gt_flags=flags)


def test_positive_rois_take_their_assigned_ground_truth_score_per_image():
    first, second = _sampling_result([2, 0, 2], negatives=2), _sampling_result([1], negatives=0)
    scores = positive_roi_scores([first, second], [torch.tensor([0.9, 0.6, 0.2]), torch.tensor([0.1, 0.4, 0.7])])
    assert [s.tolist() for s in scores] == [pytest.approx([0.9, 0.6, 0.2, 0.2, 0.9, 0.2]),
                                            pytest.approx([0.1, 0.4, 0.7, 0.4])]
    assert scores[0].dtype == torch.float32


def test_one_score_tensor_per_image_is_required():
    with pytest.raises(ValueError, match='2 sampling results but scores of 1 images'):
        positive_roi_scores([_sampling_result([0], 0)] * 2, [torch.ones(3)])
