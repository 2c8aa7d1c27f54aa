"""Cascade RoI head with CuVLER's soft targets on the box branch, on top of CutLER's DropLoss.

CuVLER (Arica et al., CVPR 2024; ``cad/modeling/roi_heads/fast_rcnn.py``, ``USE_SOFT_TARGETS``) trains every cascade
stage with the score of each RoI's matched pseudo-mask:

- classification: softmax cross-entropy against ``[score, 1 - score]`` (foreground, background) for a positive RoI;
  a negative RoI keeps the one-hot background target (CuVLER sets its foreground probability to 0) with weight 1,
  i.e. only its DropLoss weight; mean over all sampled RoIs, dropped ones included (``SoftTargetLoss``);
- box regression: each positive RoI's smooth-L1 loss times its score, summed and divided by the number of sampled
  RoIs, which is mmdet's box loss with the positive rows of ``bbox_weights`` multiplied by the score;
- mask: the BCE of each positive RoI times its score (``SoftTargetMaskHead``, configured separately).

Why a RoI head: mmdet hands a bbox head only the sampling results, never the ground-truth instances, so the scores
(``gt_instances.scores``) have to come from the RoI head; and DropLoss computes its classification loss in the RoI
head (:class:`DropLossCascadeRoIHead`), so the ``scores=`` must be passed there. CuVLER trains with both (its
first training and its self-training configs set ``USE_DROPLOSS`` and ``USE_SOFT_TARGETS``); ``use_drop_loss=False``
gives the soft targets alone. Where this differs from CuVLER's released code: its later cascade stages read a
``gt_weights`` field that its data mapper never sets; here every stage takes the score of the RoI's matched ground
truth (``pos_assigned_gt_inds``).
"""
from __future__ import annotations

from typing import List, Optional, Tuple

import torch
from mmdet.models.task_modules.samplers import SamplingResult
from mmdet.structures import SampleList
from mmdet.utils import InstanceList
from torch import Tensor

from cuts3d.registry import MODELS

from ..losses import SoftTargetLoss, ground_truth_scores, positive_roi_scores
from .drop_loss_cascade_roi_head import DropLossCascadeRoIHead


@MODELS.register_module()
class SoftTargetCascadeRoIHead(DropLossCascadeRoIHead):
    """:class:`DropLossCascadeRoIHead` whose classification and box losses use CuVLER's soft targets.

    Every stage's bbox head must have ``loss_cls=dict(type='SoftTargetLoss')``; the training data must carry
    ``gt_instances.scores`` (``PackPseudoMaskInputs``). Scores of 1 give :class:`DropLossCascadeRoIHead`'s losses.

    Args:
        *args, **kwargs: :class:`DropLossCascadeRoIHead` arguments (``use_drop_loss``, ``drop_loss_iou_thr``, and
            :class:`CascadeRoIHead`'s).

    Raises:
        ValueError: a stage whose classification loss is not a :class:`SoftTargetLoss`.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for stage, head in enumerate(self.bbox_head):
            if not isinstance(head.loss_cls, SoftTargetLoss):
                raise ValueError(f'SoftTargetCascadeRoIHead needs loss_cls=dict(type="SoftTargetLoss") in every '
                                 f'bbox head; stage {stage} has {type(head.loss_cls).__name__}')
        self._batch_gt_scores: Optional[List[Tensor]] = None

    def loss(self, x: Tuple[Tensor], rpn_results_list: InstanceList, batch_data_samples: SampleList) -> dict:
        """The cascade loss; the ground-truth scores of the batch are kept for :meth:`bbox_loss` during the call."""
        self._batch_gt_scores = [ground_truth_scores(sample.gt_instances) for sample in batch_data_samples]
        try:
            return super().loss(x, rpn_results_list, batch_data_samples)
        finally:
            self._batch_gt_scores = None

    def roi_scores(self, sampling_results: List[SamplingResult]) -> Tensor:
        """Each sampled RoI's soft-target score in mmdet's target order (per image, positives then negatives):
        its ground truth's score for a positive RoI, 1 for a negative one (not read: negatives are background).
        :meth:`DropLossCascadeRoIHead.bbox_loss` weights the box regression by it and passes it to
        :class:`SoftTargetLoss`."""
        if self._batch_gt_scores is None:
            raise RuntimeError('SoftTargetCascadeRoIHead.bbox_loss is called from loss(), which provides the scores')
        positives = positive_roi_scores(sampling_results, self._batch_gt_scores)
        return torch.cat([torch.cat([pos, pos.new_ones(len(res.neg_priors))])
                          for pos, res in zip(positives, sampling_results)])
