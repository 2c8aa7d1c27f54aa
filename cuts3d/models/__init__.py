"""Detector parts (MODELS, scope ``cuts3d``): the DropLoss cascade RoI head, the Spatial-Confidence mask head and
the Spatial-Confidence / soft-target losses. Importing this package registers all of them."""
from .losses import SoftTargetLoss, SpatialConfidenceMaskLoss
from .mask_heads import SpatialConfidenceMaskHead
from .roi_heads import DropLossCascadeRoIHead, drop_loss_weights

__all__ = ['DropLossCascadeRoIHead', 'SoftTargetLoss', 'SpatialConfidenceMaskHead', 'SpatialConfidenceMaskLoss',
           'drop_loss_weights']
