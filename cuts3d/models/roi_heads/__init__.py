"""RoI heads of the class-agnostic detector."""
from .drop_loss_cascade_roi_head import DropLossCascadeRoIHead, drop_loss_weights

__all__ = ['DropLossCascadeRoIHead', 'drop_loss_weights']
