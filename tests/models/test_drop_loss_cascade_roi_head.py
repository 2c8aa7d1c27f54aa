"""DropLoss (cuts3d/models/roi_heads/drop_loss_cascade_roi_head.py): weights, and the loss on a constructed batch."""
import pytest
import torch
import torch.nn.functional as F
from mmdet.structures import DetDataSample
from mmengine.config import ConfigDict
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

from cuts3d.models import drop_loss_weights
from cuts3d.registry import MODELS

GT = torch.tensor([[10., 10., 50., 50.]])
# IoU with GT: 1.0, ~0.14 (a background RoI that still touches the object), 0 (far away), 1/3199 (<= 0.01),
# exactly 0.01 (dropped: the rule is max IoU <= 0.01), 0.02 (kept).
PROPOSALS = torch.tensor([[10., 10., 50., 50.], [30., 30., 70., 70.], [100., 100., 140., 140.],
                          [49., 49., 89., 89.], [49., 10., 50., 26.], [48., 10., 50., 26.4]])
EXPECTED_KEEP = [1., 1., 0., 0., 0., 1.]


def test_weights_drop_rois_that_overlap_no_gt_box():
    ids = torch.zeros(len(PROPOSALS), dtype=torch.long)
    assert drop_loss_weights(PROPOSALS, ids, [GT], 0.01).tolist() == EXPECTED_KEEP


def test_weights_per_image_and_images_without_gt_keep_everything():
    boxes = torch.cat([PROPOSALS, PROPOSALS])
    ids = torch.tensor([0] * 6 + [1] * 6)
    weights = drop_loss_weights(boxes, ids, [GT, torch.zeros(0, 4)], 0.01)
    assert weights.tolist() == EXPECTED_KEEP + [1.0] * 6


def test_weights_reject_mismatched_ids():
    with pytest.raises(ValueError, match='image ids'):
        drop_loss_weights(PROPOSALS, torch.zeros(2, dtype=torch.long), [GT])


def _roi_head(use_drop_loss=True, reg_class_agnostic=True):
    init_default_scope('cuts3d')
    bbox_head = dict(type='Shared2FCBBoxHead', in_channels=4, fc_out_channels=8, roi_feat_size=7, num_classes=1,
                     reg_class_agnostic=reg_class_agnostic,
                     bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0.] * 4,
                                     target_stds=[0.1, 0.1, 0.2, 0.2]),
                     loss_cls=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
                     loss_bbox=dict(type='SmoothL1Loss', beta=1.0, loss_weight=1.0))
    rcnn = dict(assigner=dict(type='MaxIoUAssigner', pos_iou_thr=0.5, neg_iou_thr=0.5, min_pos_iou=0.5,
                              match_low_quality=False, ignore_iof_thr=-1),
                sampler=dict(type='RandomSampler', num=512, pos_fraction=0.25, neg_pos_ub=-1,
                             add_gt_as_proposals=True),
                pos_weight=-1, debug=False)
    head = MODELS.build(dict(
        type='DropLossCascadeRoIHead', use_drop_loss=use_drop_loss, drop_loss_iou_thr=0.01, num_stages=1,
        stage_loss_weights=[1.0],
        bbox_roi_extractor=dict(type='SingleRoIExtractor', out_channels=4, featmap_strides=[4],
                                roi_layer=dict(type='RoIAlign', output_size=7, sampling_ratio=0)),
        bbox_head=bbox_head, train_cfg=[ConfigDict(rcnn)]))
    torch.manual_seed(0)
    head.init_weights()
    # Zero box deltas: each RoI's decoded box is its proposal, so the IoUs above are the ones DropLoss sees.
    torch.nn.init.zeros_(head.bbox_head[0].fc_reg.weight)
    torch.nn.init.zeros_(head.bbox_head[0].fc_reg.bias)
    return head


def _batch():
    torch.manual_seed(1)
    feats = (torch.randn(1, 4, 40, 40), )
    sample = DetDataSample(metainfo=dict(img_shape=(160, 160), pad_shape=(160, 160), ori_shape=(160, 160)))
    sample.gt_instances = InstanceData(bboxes=GT.clone(), labels=torch.zeros(1, dtype=torch.long))
    return feats, sample


def _losses(head):
    feats, sample = _batch()
    return head.loss(feats, [InstanceData(bboxes=PROPOSALS.clone())], [sample])


def test_classification_loss_is_a_mean_over_all_rois_with_dropped_ones_weighted_zero():
    head = _roi_head()
    losses = _losses(head)
    # All 7 RoIs are sampled (6 proposals + the GT box added as a proposal); recompute the loss by hand.
    feats, _ = _batch()
    rois = torch.cat([torch.zeros(7, 1), torch.cat([GT, PROPOSALS])], dim=1)
    cls_score = head._bbox_forward(0, feats, rois)['cls_score']
    labels = torch.tensor([0, 0, 1, 1, 1, 1, 1])  # IoU >= 0.5: foreground (0), else background (1)
    keep = torch.tensor([1.] + EXPECTED_KEEP)
    ce = F.cross_entropy(cls_score, labels, reduction='none')
    expected = (keep * ce).sum() / 7
    assert torch.allclose(losses['s0.loss_cls'], expected, atol=1e-6)
    assert not torch.allclose(losses['s0.loss_cls'], (keep * ce).sum() / keep.sum(), atol=1e-4)
    assert losses['s0.drop_frac'].item() == pytest.approx(3 / 7)


def test_box_regression_loss_is_untouched_and_switch_off_gives_mmdet_loss():
    with_drop, without = _losses(_roi_head(True)), _losses(_roi_head(False))
    assert torch.allclose(with_drop['s0.loss_bbox'], without['s0.loss_bbox'])
    assert with_drop['s0.loss_cls'] < without['s0.loss_cls']
    assert 's0.drop_frac' not in without


def test_drop_loss_needs_class_agnostic_regression():
    with pytest.raises(ValueError, match='reg_class_agnostic'):
        _roi_head(reg_class_agnostic=False)


def test_bad_threshold_is_rejected():
    init_default_scope('cuts3d')
    with pytest.raises(ValueError, match='drop_loss_iou_thr'):
        MODELS.build(dict(type='DropLossCascadeRoIHead', drop_loss_iou_thr=1.5, num_stages=1, stage_loss_weights=[1],
                          bbox_roi_extractor=dict(type='SingleRoIExtractor', out_channels=4, featmap_strides=[4],
                                                  roi_layer=dict(type='RoIAlign', output_size=7)),
                          bbox_head=dict(type='Shared2FCBBoxHead', in_channels=4, num_classes=1,
                                         reg_class_agnostic=True)))
