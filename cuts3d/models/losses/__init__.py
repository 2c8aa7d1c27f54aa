"""Losses of the learning stage: CutS3D's Spatial Confidence mask loss and CuVLER's soft-target loss."""
from .soft_target_loss import SoftTargetLoss, soft_target_cross_entropy
from .spatial_confidence_mask_loss import (SpatialConfidenceMaskLoss, spatial_confidence_bce,
                                           spatial_confidence_target)

__all__ = ['SoftTargetLoss', 'SpatialConfidenceMaskLoss', 'soft_target_cross_entropy', 'spatial_confidence_bce',
           'spatial_confidence_target']
