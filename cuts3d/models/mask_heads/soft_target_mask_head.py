"""FCN mask head trained with CuVLER's score-weighted mask loss (the mask part of CuVLER's soft targets).

CuVLER (``cad/modeling/roi_heads/mask_head.py``, ``mask_rcnn_loss_weighted``) multiplies the BCE of each positive
RoI's mask by the score of the RoI's ground truth and averages over all pixels of all RoIs. This head gathers those
scores (:func:`cuts3d.models.losses.positive_roi_scores`) and passes them as one weight per RoI to
``SpatialConfidenceMaskLoss`` (``sc_weights`` of shape ``N``), whose mean is that average. CutS3D's eq. (6)
(``SpatialConfidenceMaskHead``) is the per-pixel version: Spatial Confidence instead of one scalar per mask.
Prediction is ``FCNMaskHead``'s.
"""
from __future__ import annotations

from typing import List

import torch
from mmdet.models.roi_heads.mask_heads import FCNMaskHead
from mmdet.models.task_modules.samplers import SamplingResult
from mmdet.utils import InstanceList
from mmengine.config import ConfigDict
from torch import Tensor

from cuts3d.registry import MODELS

from ..losses import ground_truth_scores, positive_roi_scores


@MODELS.register_module()
class SoftTargetMaskHead(FCNMaskHead):
    """``FCNMaskHead`` whose mask loss of each RoI is weighted by its ground truth's score (CuVLER).

    Needs ``gt_instances.scores`` (``PackPseudoMaskInputs``); scores of 1 give mmdet's mask BCE.

    Args:
        loss_mask: a loss taking ``(mask_preds, mask_targets, labels, sc_weights=...)`` with one weight per RoI,
            by default ``SpatialConfidenceMaskLoss``.
        **kwargs: :class:`FCNMaskHead` arguments.
    """

    def __init__(self, loss_mask: dict = dict(type='SpatialConfidenceMaskLoss', loss_weight=1.0), **kwargs) -> None:
        super().__init__(loss_mask=loss_mask, **kwargs)

    def loss_and_target(self, mask_preds: Tensor, sampling_results: List[SamplingResult],
                        batch_gt_instances: InstanceList, rcnn_train_cfg: ConfigDict) -> dict:
        """Mask targets of the positive RoIs and their score-weighted BCE."""
        mask_targets = self.get_targets(sampling_results=sampling_results, batch_gt_instances=batch_gt_instances,
                                        rcnn_train_cfg=rcnn_train_cfg)
        if mask_preds.size(0) == 0:
            return dict(loss_mask=dict(loss_mask=mask_preds.sum()), mask_targets=mask_targets)
        scores = positive_roi_scores(sampling_results, [ground_truth_scores(gt) for gt in batch_gt_instances])
        labels = torch.cat([res.pos_gt_labels for res in sampling_results])
        if self.class_agnostic:
            labels = torch.zeros_like(labels)
        loss_mask = self.loss_mask(mask_preds, mask_targets, labels, sc_weights=torch.cat(scores))
        return dict(loss_mask=dict(loss_mask=loss_mask), mask_targets=mask_targets)
