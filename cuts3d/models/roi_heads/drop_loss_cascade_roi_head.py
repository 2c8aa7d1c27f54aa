"""Cascade RoI head with CutLER's DropLoss on the classification branch of every stage.

CutLER's DropLoss (Wang et al., CVPR 2023) drops the classification loss of RoIs that overlap no pseudo ground truth:
pseudo-masks miss many objects, and a RoI sitting on an unlabelled object should not be pushed to "background".
Per cascade stage, the stage's box deltas are decoded onto that stage's proposals (the boxes the stage predicts),
each RoI takes its maximum IoU with the image's ground-truth boxes, and a RoI whose maximum IoU is
``<= drop_loss_iou_thr`` (0.01) gets weight 0 in the classification loss only. The loss is still divided by the
number of all sampled RoIs (CutLER's ``(weights * cross_entropy(...)).mean()``), not by the number kept. Box
regression and mask losses are untouched. ``use_drop_loss=False`` (self-training) gives mmdet's plain loss.

Where CutLER's reference differs: it compares each RoI with the first ``k`` per-proposal matched GT boxes of the
image (``k`` = number of distinct boxes among the first 100), a shortcut that can leave some GT boxes out; here
every GT box of the image takes part, which is what the paper describes. An image without GT boxes keeps all its
RoIs (weight 1): nothing can be compared, and dropping them all would silence its classification loss.
"""
from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

import torch
from mmdet.models.losses import accuracy
from mmdet.models.roi_heads import CascadeRoIHead
from mmdet.models.task_modules.samplers import SamplingResult
from mmdet.structures import SampleList
from mmdet.structures.bbox import bbox2roi, bbox_overlaps, get_box_tensor
from mmdet.utils import InstanceList
from torch import Tensor

from cuts3d.registry import MODELS


def drop_loss_weights(pred_boxes: Tensor, roi_img_ids: Tensor, gt_boxes: Sequence[Tensor],
                      iou_thr: float = 0.01) -> Tensor:
    """CutLER's DropLoss weights: 0 for a RoI whose max IoU with its image's GT boxes is ``<= iou_thr``, else 1.

    Args:
        pred_boxes: ``N x 4`` boxes (x1, y1, x2, y2) decoded from the stage's deltas on its proposals.
        roi_img_ids: ``N`` image index of each RoI (column 0 of mmdet's ``rois``).
        gt_boxes: per image, its ``G_i x 4`` ground-truth boxes.
        iou_thr: the DropLoss threshold (CutLER: 0.01).

    Returns:
        ``N`` float weights in {0, 1}. RoIs of an image without GT boxes keep weight 1.
    """
    if pred_boxes.shape[0] != roi_img_ids.shape[0]:
        raise ValueError(f'{pred_boxes.shape[0]} boxes but {roi_img_ids.shape[0]} image ids')
    weights = pred_boxes.new_ones(pred_boxes.shape[0])
    for img_id, gts in enumerate(gt_boxes):
        in_img = roi_img_ids == img_id
        if gts.numel() == 0 or not bool(in_img.any()):
            continue
        max_iou = bbox_overlaps(pred_boxes[in_img], gts.to(pred_boxes)).max(dim=1).values
        weights[in_img] = (max_iou > iou_thr).to(weights.dtype)
    return weights


@MODELS.register_module()
class DropLossCascadeRoIHead(CascadeRoIHead):
    """mmdet's :class:`CascadeRoIHead` whose classification loss ignores RoIs that overlap no pseudo-mask.

    Args:
        use_drop_loss: apply DropLoss (CutLER: on for the first training, off for self-training).
        drop_loss_iou_thr: RoIs whose max IoU with the GT boxes is ``<=`` this get classification weight 0.
        **kwargs: :class:`CascadeRoIHead` arguments. Every stage's bbox head must regress class-agnostically when
            DropLoss is on (one box per RoI to compare with the GT, as in CutLER).
    """

    def __init__(self, *args, use_drop_loss: bool = True, drop_loss_iou_thr: float = 0.01, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not 0.0 <= drop_loss_iou_thr < 1.0:
            raise ValueError(f'drop_loss_iou_thr must be in [0, 1), got {drop_loss_iou_thr}')
        if use_drop_loss and not all(head.reg_class_agnostic for head in self.bbox_head):
            raise ValueError('DropLoss needs reg_class_agnostic=True in every cascade stage (one decoded box per '
                             'RoI); set it in the bbox heads or use_drop_loss=False')
        self.use_drop_loss = use_drop_loss
        self.drop_loss_iou_thr = drop_loss_iou_thr
        self._batch_gt_boxes: Optional[List[Tensor]] = None

    def loss(self, x: Tuple[Tensor], rpn_results_list: InstanceList, batch_data_samples: SampleList) -> dict:
        """mmdet's cascade loss; the GT boxes of the batch are kept for :meth:`bbox_loss` during the call."""
        self._batch_gt_boxes = [get_box_tensor(sample.gt_instances.bboxes) for sample in batch_data_samples]
        try:
            return super().loss(x, rpn_results_list, batch_data_samples)
        finally:
            self._batch_gt_boxes = None

    def roi_scores(self, sampling_results: List[SamplingResult]) -> Optional[Tensor]:
        """Hook for soft targets: each sampled RoI's score in mmdet's target order, which scales the RoI's box
        regression weight and goes to the classification loss as ``scores=``; None (here) keeps the hard targets."""
        return None

    def bbox_loss(self, stage: int, x: Tuple[Tensor], sampling_results: List[SamplingResult]) -> dict:
        """The stage's box forward and losses, with DropLoss weights on the classification term and the
        :meth:`roi_scores` (if any) on the box and classification terms."""
        scores = self.roi_scores(sampling_results)
        if scores is None and not self.use_drop_loss:
            return super().bbox_loss(stage, x, sampling_results)
        if self.use_drop_loss and self._batch_gt_boxes is None:
            raise RuntimeError('DropLossCascadeRoIHead.bbox_loss is called from loss(), which provides the GT boxes')
        bbox_head = self.bbox_head[stage]
        rois = bbox2roi([res.priors for res in sampling_results])
        results = self._bbox_forward(stage, x, rois)
        results.update(rois=rois)
        targets = bbox_head.get_targets(sampling_results, self.train_cfg[stage], concat=True)
        labels, label_weights, bbox_targets, bbox_weights = targets
        cls_kwargs = {}
        if scores is not None:
            scores = scores.to(bbox_weights)
            # Negatives have box weight 0 already, so scaling every row scales the positive ones.
            bbox_weights = bbox_weights * scores[:, None]
            cls_kwargs = dict(scores=scores)

        losses = bbox_head.loss(None, results['bbox_pred'], rois, labels, label_weights, bbox_targets, bbox_weights)
        cls_weights = label_weights
        if self.use_drop_loss:
            with torch.no_grad():
                pred_boxes = get_box_tensor(bbox_head.bbox_coder.decode(rois[:, 1:], results['bbox_pred']))
                keep = drop_loss_weights(pred_boxes, rois[:, 0].long(), self._batch_gt_boxes,
                                         self.drop_loss_iou_thr)
            cls_weights = label_weights * keep
            losses['drop_frac'] = 1.0 - keep.mean() if keep.numel() else keep.new_zeros(())
        cls_score = results['cls_score']
        # CutLER, CuVLER: mean over all sampled RoIs, dropped ones included (their weight is 0); mmdet's count.
        avg_factor = max(float((label_weights > 0).sum()), 1.0)
        loss_cls = bbox_head.loss_cls(cls_score, labels, cls_weights, avg_factor=avg_factor, **cls_kwargs)
        losses.update(loss_cls if isinstance(loss_cls, dict) else dict(loss_cls=loss_cls))
        if bbox_head.custom_activation:
            losses.update(bbox_head.loss_cls.get_accuracy(cls_score, labels))
        else:
            losses['acc'] = accuracy(cls_score, labels)
        results.update(loss_bbox=losses, bbox_targets=targets)
        return results
