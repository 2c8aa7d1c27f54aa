"""FCN mask head trained with CutS3D's Spatial Confidence Soft Target loss (eq. 6).

mmdet's ``FCNMaskHead`` crops each positive RoI's mask target out of its ground-truth mask; this head also crops the
instance's per-pixel loss weights (its Spatial Confidence, 1 outside the confidence map) with the same boxes and
``roi_align`` (:func:`cuts3d.models.losses.spatial_confidence_target`), and hands both to the mask loss
(``SpatialConfidenceMaskLoss``, ``sc_weights=``). Ground-truth masks without SC (CutLER pseudo-masks,
self-training predictions) give weight 1, i.e. mmdet's plain mask BCE. Prediction is ``FCNMaskHead``'s.
"""
from __future__ import annotations

from typing import List

from mmdet.models.task_modules.samplers import SamplingResult
from mmdet.utils import InstanceList
from mmengine.config import ConfigDict
from torch import Tensor

from cuts3d.registry import MODELS

from ..losses import spatial_confidence_target
from .weighted_mask_head import WeightedMaskHead


@MODELS.register_module()
class SpatialConfidenceMaskHead(WeightedMaskHead):
    """``FCNMaskHead`` whose mask loss is weighted per pixel by Spatial Confidence (CutS3D eq. 6).

    Args:
        loss_mask: a loss taking ``(mask_preds, mask_targets, labels, sc_weights=...)``, by default
            ``SpatialConfidenceMaskLoss``.
        **kwargs: :class:`FCNMaskHead` arguments.
    """

    def roi_loss_weights(self, sampling_results: List[SamplingResult], batch_gt_instances: InstanceList,
                         rcnn_train_cfg: ConfigDict) -> Tensor:
        """The eq. (6) weights of the positive RoIs: each mask target's SC, cropped like the target."""
        return spatial_confidence_target([res.pos_priors for res in sampling_results],
                                         [res.pos_assigned_gt_inds for res in sampling_results],
                                         [gt.masks for gt in batch_gt_instances], rcnn_train_cfg)
