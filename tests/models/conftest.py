"""Fixtures shared by the mask-head tests: tiny heads built one way, and a sampling result without positive RoIs."""
import pytest
import torch
from mmdet.models.task_modules.assigners import AssignResult
from mmdet.models.task_modules.samplers import SamplingResult
from mmengine.registry import init_default_scope

from cuts3d.registry import MODELS


def _mask_head(type_, loss_mask):
    init_default_scope('cuts3d')
    head = MODELS.build(dict(type=type_, num_convs=1, in_channels=4, conv_out_channels=4, num_classes=1,
                             class_agnostic=True, loss_mask=loss_mask))
    head.init_weights()
    return head


@pytest.fixture(scope='module')
def mmdet_mask_head():
    """mmdet's ``FCNMaskHead`` with its mask BCE, the reference of the weighted heads (tiny, class-agnostic)."""
    return _mask_head('FCNMaskHead', dict(type='CrossEntropyLoss', use_mask=True, loss_weight=1.0))


@pytest.fixture(scope='module')
def build_mask_head():
    """Builds a tiny class-agnostic mask head of the given registered type with ``SpatialConfidenceMaskLoss``."""
    return lambda type_: _mask_head(type_, dict(type='SpatialConfidenceMaskLoss', loss_weight=1.0))


@pytest.fixture
def no_positive_sampling_result():
    """Makes a sampling result of one negative RoI (the first ground-truth box) for the given ground truth."""
    def make(gt_bboxes):
        assign = AssignResult(len(gt_bboxes), torch.tensor([0]), torch.tensor([0.0]), torch.tensor([-1]))
        return SamplingResult(pos_inds=torch.tensor([], dtype=torch.long), neg_inds=torch.tensor([0]),
                              priors=gt_bboxes[:1], gt_bboxes=gt_bboxes, assign_result=assign,
                              gt_flags=torch.zeros(1, dtype=torch.uint8))
    return make
