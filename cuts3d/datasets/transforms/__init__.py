"""Pipeline transforms for pseudo-mask training: Spatial Confidence loading and packing, copy-paste variants."""
from .confident_copy_paste import ConfidentCopyPaste, confidence_alpha_blend
from .copy_paste import CutLERCopyPaste
from .load_spatial_confidence import LoadSpatialConfidence
from .pack_pseudo_mask_inputs import PackPseudoMaskInputs

__all__ = ['ConfidentCopyPaste', 'CutLERCopyPaste', 'LoadSpatialConfidence', 'PackPseudoMaskInputs',
           'confidence_alpha_blend']
