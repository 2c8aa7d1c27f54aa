"""Example cuts3d plugin: importing it registers :class:`VerticalPriorDepth` in cuts3d's DEPTH_SOURCES."""
from .vertical_prior_depth import VerticalPriorDepth

__all__ = ['VerticalPriorDepth']
