"""Mask heads of the class-agnostic detector."""
from .spatial_confidence_mask_head import SpatialConfidenceMaskHead

__all__ = ['SpatialConfidenceMaskHead']
