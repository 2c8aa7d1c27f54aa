"""The targets of CuVLER's soft-target losses: each sampled RoI's score, the score of the ground truth it matches.

CuVLER (Arica et al., CVPR 2024; ``cad/data/detection_utils.py``, ``cad/modeling/roi_heads/fast_rcnn.py``) gives
every pseudo-mask a scalar score and copies the score of a RoI's matched ground truth onto the RoI. Here the scores
are ``gt_instances.scores`` (one per ground-truth instance, packed by ``PackPseudoMaskInputs``: the json's ``score``
or the mean Spatial Confidence), and a positive RoI's ground truth is its sampling result's ``pos_assigned_gt_inds``
(also for ground-truth boxes added as proposals, and in every cascade stage).
"""
from __future__ import annotations

from typing import List, Sequence

import torch
from mmdet.models.task_modules.samplers import SamplingResult
from mmengine.structures import InstanceData
from torch import Tensor


def ground_truth_scores(gt_instances: InstanceData) -> Tensor:
    """The ``scores`` field of an image's ground-truth instances, checked: one per instance, in [0, 1].

    Raises:
        ValueError: no ``scores`` field (the training data were packed without ``PackPseudoMaskInputs``), a score
            count that differs from the instance count, or a score outside [0, 1].
    """
    if 'scores' not in gt_instances:
        raise ValueError('soft targets need gt_instances.scores (one score per pseudo-mask): pack the training data '
                         'with PackPseudoMaskInputs instead of PackDetInputs')
    scores = gt_instances.scores
    if scores.shape != (len(gt_instances), ):
        raise ValueError(f'gt_instances.scores must hold one score per instance ({len(gt_instances)}); '
                         f'got shape {tuple(scores.shape)}')
    if scores.numel() and (scores.min() < 0 or scores.max() > 1):
        raise ValueError(f'gt_instances.scores must lie in [0, 1]; got range [{scores.min():.3f}, '
                         f'{scores.max():.3f}]')
    return scores


def positive_roi_scores(sampling_results: Sequence[SamplingResult], batch_gt_scores: Sequence[Tensor]) -> List[Tensor]:
    """Per image, the score of each positive RoI's assigned ground truth, in the sampling result's positive order.

    Args:
        sampling_results: one per image.
        batch_gt_scores: one per image, that image's ground-truth scores (:func:`ground_truth_scores`).

    Returns:
        float32 tensors of length ``num_pos`` of each image, on the device of its sampling result.
    """
    if len(sampling_results) != len(batch_gt_scores):
        raise ValueError(f'{len(sampling_results)} sampling results but scores of {len(batch_gt_scores)} images')
    scores = []
    for res, gt_scores in zip(sampling_results, batch_gt_scores):
        inds = res.pos_assigned_gt_inds.long()
        scores.append(gt_scores.to(device=inds.device, dtype=torch.float32)[inds])
    return scores
