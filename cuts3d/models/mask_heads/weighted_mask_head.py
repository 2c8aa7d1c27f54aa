"""FCN mask head whose mask loss weights each positive RoI: the training plumbing shared by CutS3D's and CuVLER's.

CutS3D's eq. (6) (:class:`SpatialConfidenceMaskHead`, a weight per pixel) and CuVLER's score-weighted mask loss
(:class:`SoftTargetMaskHead`, a weight per RoI) differ only in where the weights of the positive RoIs come from;
the mask targets, the labels and the call of the mask loss (``SpatialConfidenceMaskLoss``, ``sc_weights=``) are
the same, and live here. Prediction is ``FCNMaskHead``'s.
"""
from __future__ import annotations

from abc import abstractmethod
from typing import List

import torch
from mmdet.models.roi_heads.mask_heads import FCNMaskHead
from mmdet.models.task_modules.samplers import SamplingResult
from mmdet.utils import InstanceList
from mmengine.config import ConfigDict
from torch import Tensor


class WeightedMaskHead(FCNMaskHead):
    """``FCNMaskHead`` whose mask loss takes the positive RoIs' weights from :meth:`roi_loss_weights`.

    Args:
        loss_mask: a loss taking ``(mask_preds, mask_targets, labels, sc_weights=...)``, by default
            ``SpatialConfidenceMaskLoss``.
        **kwargs: :class:`FCNMaskHead` arguments.
    """

    def __init__(self, loss_mask: dict = dict(type='SpatialConfidenceMaskLoss', loss_weight=1.0), **kwargs) -> None:
        super().__init__(loss_mask=loss_mask, **kwargs)

    @abstractmethod
    def roi_loss_weights(self, sampling_results: List[SamplingResult], batch_gt_instances: InstanceList,
                         rcnn_train_cfg: ConfigDict) -> Tensor:
        """The loss weights of the positive RoIs (at least one), in mask-target order: ``num_pos`` (one per RoI)
        or ``num_pos x mask_h x mask_w`` (one per pixel of the mask target)."""

    def loss_and_target(self, mask_preds: Tensor, sampling_results: List[SamplingResult],
                        batch_gt_instances: InstanceList, rcnn_train_cfg: ConfigDict) -> dict:
        """Mask targets and loss weights of the positive RoIs, and their weighted mask loss."""
        mask_targets = self.get_targets(sampling_results=sampling_results, batch_gt_instances=batch_gt_instances,
                                        rcnn_train_cfg=rcnn_train_cfg)
        if mask_preds.size(0) == 0:
            return dict(loss_mask=dict(loss_mask=mask_preds.sum()), mask_targets=mask_targets)
        weights = self.roi_loss_weights(sampling_results, batch_gt_instances, rcnn_train_cfg)
        labels = torch.cat([res.pos_gt_labels for res in sampling_results])
        if self.class_agnostic:
            labels = torch.zeros_like(labels)
        loss_mask = self.loss_mask(mask_preds, mask_targets, labels, sc_weights=weights)
        return dict(loss_mask=dict(loss_mask=loss_mask), mask_targets=mask_targets)
