"""Mask heads of the class-agnostic detector."""
from .soft_target_mask_head import SoftTargetMaskHead
from .spatial_confidence_mask_head import SpatialConfidenceMaskHead
from .weighted_mask_head import WeightedMaskHead

__all__ = ['SoftTargetMaskHead', 'SpatialConfidenceMaskHead', 'WeightedMaskHead']
