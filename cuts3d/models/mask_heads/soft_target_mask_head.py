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
from mmdet.models.task_modules.samplers import SamplingResult
from mmdet.utils import InstanceList
from mmengine.config import ConfigDict
from torch import Tensor

from cuts3d.registry import MODELS

from ..losses import ground_truth_scores, positive_roi_scores
from .weighted_mask_head import WeightedMaskHead


@MODELS.register_module()
class SoftTargetMaskHead(WeightedMaskHead):
    """``FCNMaskHead`` whose mask loss of each RoI is weighted by its ground truth's score (CuVLER).

    Needs ``gt_instances.scores`` (``PackPseudoMaskInputs``); scores of 1 give mmdet's mask BCE.

    Args:
        loss_mask: a loss taking ``(mask_preds, mask_targets, labels, sc_weights=...)`` with one weight per RoI,
            by default ``SpatialConfidenceMaskLoss``.
        **kwargs: :class:`FCNMaskHead` arguments.
    """

    def roi_loss_weights(self, sampling_results: List[SamplingResult], batch_gt_instances: InstanceList,
                         rcnn_train_cfg: ConfigDict) -> Tensor:
        """The score of each positive RoI's ground truth, one weight per RoI."""
        scores = positive_roi_scores(sampling_results, [ground_truth_scores(gt) for gt in batch_gt_instances])
        return torch.cat(scores)
