"""CuVLER's soft-target classification loss: a pseudo-mask's score becomes a probabilistic class target.

What CuVLER (``cad/modeling/roi_heads/fast_rcnn.py``, ``mask_head.py``, ``box_regression.py``) computes with
``USE_SOFT_TARGETS``, and how each part maps onto this project:

- classification (:class:`SoftTargetLoss`): softmax cross-entropy against the distribution ``score`` on the RoI's
  class and ``1 - score`` on background for a RoI matched to a ground truth (``score`` = that ground truth's
  score), one-hot background for a background RoI; per-RoI weights (DropLoss) multiply it; mean over RoIs;
- box regression: each positive RoI's smooth-L1 loss times its ground truth's score, summed and divided by the
  number of RoIs. In mmdet: multiply the positive rows of ``bbox_weights`` by the score before ``loss_bbox``;
- mask: the BCE of each RoI's mask times its ground truth's score, mean over all pixels. In mmdet:
  ``SpatialConfidenceMaskLoss`` with ``sc_weights`` = the per-RoI scores (shape ``N``).

CutS3D's eq. (6) replaces the mask part's scalar by the per-pixel Spatial Confidence.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from mmdet.models.losses.utils import weight_reduce_loss
from torch import Tensor

from cuts3d.registry import MODELS

from .base_loss import BaseLoss


def soft_target_cross_entropy(cls_score: Tensor, labels: Tensor, scores: Tensor, weight: Tensor | None = None,
                              reduction: str = 'mean', avg_factor: float | None = None) -> Tensor:
    """CuVLER's soft-target softmax cross-entropy ``-sum_k t_k log softmax(cls_score)_k``.

    ``cls_score`` ``N x (C + 1)`` logits (background last, mmdet's layout); ``labels`` ``N`` in ``0..C`` (``C`` =
    background); ``scores`` ``N`` in [0, 1], read only for foreground RoIs: ``t = score`` at the label and
    ``1 - score`` at background. A score of 1 gives the ordinary (hard) cross-entropy.
    """
    background = cls_score.size(1) - 1
    foreground = labels < background
    targets = torch.zeros_like(cls_score)
    rows = torch.nonzero(foreground).flatten()
    fg_scores = scores[rows].to(cls_score.dtype)
    targets[rows, labels[rows].long()] = fg_scores
    targets[rows, background] = 1 - fg_scores
    targets[~foreground, background] = 1
    loss = F.cross_entropy(cls_score, targets, reduction='none')
    return weight_reduce_loss(loss, weight, reduction, avg_factor)


@MODELS.register_module()
class SoftTargetLoss(BaseLoss):
    """Classification loss with CuVLER's soft targets ``[score, 1 - score]`` (see the module docstring).

    Called like mmdet's ``CrossEntropyLoss`` by a bbox head, ``loss(cls_score, labels, label_weights,
    avg_factor=...)``, plus ``scores=`` (one per RoI: the matched ground truth's score; ignored for background
    RoIs), which the RoI head must pass.

    Args:
        loss_weight: factor on the loss.
        reduction: 'mean', 'sum' or 'none'.

    Raises:
        ValueError: ``scores`` missing or not one per RoI, a foreground score outside [0, 1], or an unknown
            reduction.
    """

    def forward(self, cls_score: Tensor, labels: Tensor, weight: Tensor | None = None,
                avg_factor: float | None = None, reduction_override: str | None = None,
                scores: Tensor | None = None) -> Tensor:
        if scores is None:
            raise ValueError('SoftTargetLoss needs scores= (the matched ground truth score of each RoI); '
                             'use a RoI head that passes them, or CrossEntropyLoss for hard targets')
        if scores.shape != labels.shape:
            raise ValueError(f'scores must have one value per RoI, shape {tuple(labels.shape)}; '
                             f'got {tuple(scores.shape)}')
        fg_scores = scores[labels < cls_score.size(1) - 1]
        if fg_scores.numel() and (fg_scores.min() < 0 or fg_scores.max() > 1):
            raise ValueError('scores of foreground RoIs must lie in [0, 1]; got range '
                             f'[{fg_scores.min():.3f}, {fg_scores.max():.3f}]')
        reduction = reduction_override or self.reduction
        return self.loss_weight * soft_target_cross_entropy(cls_score, labels, scores, weight, reduction,
                                                            avg_factor)
