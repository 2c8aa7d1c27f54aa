"""CutS3D's Spatial Confidence Soft Target mask loss (eq. 6) and the per-RoI weight targets it needs."""
from __future__ import annotations

from typing import Sequence

import torch
import torch.nn.functional as F
from mmcv.ops import roi_align
from mmdet.models.losses.utils import weight_reduce_loss
from mmdet.structures.mask import BitmapMasks
from torch import Tensor
from torch.nn.modules.utils import _pair

from cuts3d.structures.spatial_confidence_masks import SpatialConfidenceMasks
from cuts3d.registry import MODELS

from .base_loss import BaseLoss


def spatial_confidence_target(pos_proposals_list: Sequence[Tensor], pos_assigned_gt_inds_list: Sequence[Tensor],
                              gt_masks_list: Sequence[BitmapMasks], cfg: dict) -> Tensor:
    """Per-RoI loss weights for eq. (6), cropped and resized exactly as mmdet's ``mask_target`` crops mask targets.

    Same arguments as ``mmdet.structures.mask.mask_target`` (``cfg`` needs ``mask_size``) and the same clipping of
    the boxes to the masks' size and the same ``roi_align`` call (average, aligned, adaptive sampling), so weight
    ``[r, i, j]`` belongs to mask target ``[r, i, j]``. The full-resolution weight map of an instance is its SC
    where SC > 0 and 1 elsewhere ("all loss values outside the confidence map are left unchanged, i.e. SC = 1",
    CutS3D section 3.4); masks without SC (plain ``BitmapMasks``) give weight 1, i.e. the plain mask BCE.

    Unlike ``BitmapMasks.crop_and_resize``, which copies one full-resolution map per RoI before ``roi_align``
    (about 3.5 s for 128 RoIs of an 800 x 1333 image on this project's CPU; this takes 0.33 s), the RoIs sample
    the instance maps directly, with the assigned ground-truth index as ``roi_align``'s batch index.

    Returns:
        float32 ``num_pos x mask_h x mask_w`` in [0, 1], on the proposals' device.
    """
    mask_size = _pair(cfg['mask_size'])
    targets = []
    for proposals, inds, masks in zip(pos_proposals_list, pos_assigned_gt_inds_list, gt_masks_list):
        if len(proposals) == 0 or not isinstance(masks, SpatialConfidenceMasks):
            targets.append(proposals.new_ones((len(proposals), *mask_size), dtype=torch.float32))
            continue
        device = proposals.device
        boxes = proposals.detach().float().clone()
        boxes[:, 0::2] = boxes[:, 0::2].clamp(0, masks.width)
        boxes[:, 1::2] = boxes[:, 1::2].clamp(0, masks.height)
        rois = torch.cat([inds.to(device=device, dtype=torch.float32)[:, None], boxes], dim=1)
        levels = torch.from_numpy(masks.sc_levels).to(device)
        counts = torch.from_numpy(masks.num_levels).to(device=device, dtype=torch.float32)
        weight_maps = torch.where(levels > 0, levels.float() / counts[:, None, None], 1.0)
        targets.append(roi_align(weight_maps[:, None], rois, mask_size, 1.0, 0, 'avg', True).squeeze(1))
    return torch.cat(targets)


def spatial_confidence_bce(mask_pred: Tensor, mask_targets: Tensor, labels: Tensor, sc_weights: Tensor | None = None,
                           reduction: str = 'mean', avg_factor: float | None = None) -> Tensor:
    """CutS3D eq. (6): ``L_mask = sum_ij SC_ij * BCE(M^_ij, M_ij)``, reduced like mmdet's mask cross-entropy.

    ``mask_pred`` are logits ``N x C x h x w``; the channel of each RoI's ``labels`` is used (class-agnostic
    heads pass zeros). ``sc_weights`` ``N x h x w`` (from :func:`spatial_confidence_target`) or ``N`` (one weight
    per RoI, CuVLER's score-weighted mask loss); None is the plain BCE. ``reduction='mean'`` divides the weighted sum
    by the number of pixels (or by ``avg_factor``), not by the sum of the weights, so SC only down-weights uncertain
    pixels and a map of ones gives exactly mmdet's ``mask_cross_entropy``.
    """
    logits = mask_pred[torch.arange(mask_pred.size(0), device=mask_pred.device), labels.long()]
    loss = F.binary_cross_entropy_with_logits(logits, mask_targets.to(logits.dtype), reduction='none')
    if sc_weights is not None and sc_weights.dim() == 1:
        sc_weights = sc_weights[:, None, None].expand_as(loss)
    return weight_reduce_loss(loss, sc_weights, reduction, avg_factor)


@MODELS.register_module()
class SpatialConfidenceMaskLoss(BaseLoss):
    """Mask loss weighted per pixel by Spatial Confidence (CutS3D eq. (6)); a drop-in for mmdet's mask loss.

    Called like ``CrossEntropyLoss(use_mask=True)`` by a mask head, ``loss(mask_preds, mask_targets, labels)``,
    plus ``sc_weights=`` (see :func:`spatial_confidence_bce`); without ``sc_weights`` it equals mmdet's mask BCE.

    Args:
        loss_weight: factor on the loss.
        reduction: 'mean' (over pixels, as mmdet's mask loss), 'sum' or 'none'.

    Raises:
        ValueError: targets or weights whose shape does not match the predictions, or an unknown reduction.
    """

    def forward(self, mask_pred: Tensor, mask_targets: Tensor, labels: Tensor, sc_weights: Tensor | None = None,
                avg_factor: float | None = None, reduction_override: str | None = None) -> Tensor:
        reduction = reduction_override or self.reduction
        expected = (mask_pred.size(0), *mask_pred.shape[2:])
        if tuple(mask_targets.shape) != expected:
            raise ValueError(f'mask targets {tuple(mask_targets.shape)} do not match predictions '
                             f'{tuple(mask_pred.shape)} (expected {expected})')
        if sc_weights is not None and tuple(sc_weights.shape) not in (expected, expected[:1]):
            raise ValueError(f'sc_weights must be {expected} or ({expected[0]},); got {tuple(sc_weights.shape)}')
        if mask_pred.size(0) == 0:
            return mask_pred.sum() * 0
        return self.loss_weight * spatial_confidence_bce(mask_pred, mask_targets, labels, sc_weights, reduction,
                                                         avg_factor)
