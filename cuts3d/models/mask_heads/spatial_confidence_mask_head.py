"""FCN mask head trained with CutS3D's Spatial Confidence Soft Target loss (eq. 6).

mmdet's ``FCNMaskHead`` crops each positive RoI's mask target out of its ground-truth mask; this head also crops the
instance's per-pixel loss weights (its Spatial Confidence, 1 outside the confidence map) with the same boxes and
``roi_align`` (:func:`cuts3d.models.losses.spatial_confidence_target`), and hands both to the mask loss
(``SpatialConfidenceMaskLoss``, ``sc_weights=``). Ground-truth masks without SC (CutLER pseudo-masks,
self-training predictions) give weight 1, i.e. mmdet's plain mask BCE. Prediction is ``FCNMaskHead``'s.
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

from ..losses import spatial_confidence_target


@MODELS.register_module()
class SpatialConfidenceMaskHead(FCNMaskHead):
    """``FCNMaskHead`` whose mask loss is weighted per pixel by Spatial Confidence (CutS3D eq. 6).

    Args:
        loss_mask: a loss taking ``(mask_preds, mask_targets, labels, sc_weights=...)``, by default
            ``SpatialConfidenceMaskLoss``.
        **kwargs: :class:`FCNMaskHead` arguments.
    """

    def __init__(self, loss_mask: dict = dict(type='SpatialConfidenceMaskLoss', loss_weight=1.0), **kwargs) -> None:
        super().__init__(loss_mask=loss_mask, **kwargs)

    def loss_and_target(self, mask_preds: Tensor, sampling_results: List[SamplingResult],
                        batch_gt_instances: InstanceList, rcnn_train_cfg: ConfigDict) -> dict:
        """Mask targets and SC weights of the positive RoIs, and the eq. (6) loss."""
        mask_targets = self.get_targets(sampling_results=sampling_results, batch_gt_instances=batch_gt_instances,
                                        rcnn_train_cfg=rcnn_train_cfg)
        if mask_preds.size(0) == 0:
            return dict(loss_mask=dict(loss_mask=mask_preds.sum()), mask_targets=mask_targets)
        sc_weights = spatial_confidence_target([res.pos_priors for res in sampling_results],
                                               [res.pos_assigned_gt_inds for res in sampling_results],
                                               [gt.masks for gt in batch_gt_instances], rcnn_train_cfg)
        labels = torch.cat([res.pos_gt_labels for res in sampling_results])
        if self.class_agnostic:
            labels = torch.zeros_like(labels)
        loss_mask = self.loss_mask(mask_preds, mask_targets, labels, sc_weights=sc_weights)
        return dict(loss_mask=dict(loss_mask=loss_mask), mask_targets=mask_targets)
