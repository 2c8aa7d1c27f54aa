"""RoI heads of the class-agnostic detector."""
from .drop_loss_cascade_roi_head import DropLossCascadeRoIHead, drop_loss_weights
from .soft_target_cascade_roi_head import SoftTargetCascadeRoIHead

__all__ = ['DropLossCascadeRoIHead', 'SoftTargetCascadeRoIHead', 'drop_loss_weights']
