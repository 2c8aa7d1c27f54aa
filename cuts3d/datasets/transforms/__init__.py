"""Pipeline transforms: Spatial Confidence loading and packing, copy-paste variants, fault-tolerant image loading."""
from .confident_copy_paste import ConfidentCopyPaste, confidence_alpha_blend
from .copy_paste import CutLERCopyPaste
from .load_image_or_placeholder import LOAD_FAILURE_KEY, LoadImageFromFileOrPlaceholder
from .load_spatial_confidence import LoadSpatialConfidence
from .pack_pseudo_mask_inputs import PackPseudoMaskInputs

__all__ = ['LOAD_FAILURE_KEY', 'ConfidentCopyPaste', 'CutLERCopyPaste', 'LoadImageFromFileOrPlaceholder',
           'LoadSpatialConfidence', 'PackPseudoMaskInputs', 'confidence_alpha_blend']
