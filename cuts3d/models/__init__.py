"""Detector parts (MODELS, scope ``cuts3d``): the DropLoss and soft-target cascade RoI heads, the Spatial-Confidence
and soft-target mask heads, and the Spatial-Confidence / soft-target losses. Importing this package registers all of
them."""
from .losses import SoftTargetLoss, SpatialConfidenceMaskLoss
from .mask_heads import SoftTargetMaskHead, SpatialConfidenceMaskHead
from .roi_heads import DropLossCascadeRoIHead, SoftTargetCascadeRoIHead, drop_loss_weights

__all__ = ['DropLossCascadeRoIHead', 'SoftTargetCascadeRoIHead', 'SoftTargetLoss', 'SoftTargetMaskHead',
           'SpatialConfidenceMaskHead', 'SpatialConfidenceMaskLoss', 'drop_loss_weights']
