"""Losses of the learning stage: CutS3D's Spatial Confidence mask loss, CuVLER's soft-target loss and its targets."""
from .base_loss import BaseLoss
from .soft_target_loss import SoftTargetLoss, soft_target_cross_entropy
from .soft_target_scores import ground_truth_scores, positive_roi_scores
from .spatial_confidence_mask_loss import (SpatialConfidenceMaskLoss, spatial_confidence_bce,
                                           spatial_confidence_target)

__all__ = ['BaseLoss', 'SoftTargetLoss', 'SpatialConfidenceMaskLoss', 'ground_truth_scores',
           'positive_roi_scores', 'soft_target_cross_entropy', 'spatial_confidence_bce', 'spatial_confidence_target']
