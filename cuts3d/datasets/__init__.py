"""Pseudo-mask datasets and the transforms that carry Spatial Confidence through the pipeline."""
from .pseudo_mask_dataset import PseudoMaskDataset
from .spatial_confidence_masks import SpatialConfidenceMasks, decode_spatial_confidence
from .transforms import (ConfidentCopyPaste, CutLERCopyPaste, LoadSpatialConfidence, PackPseudoMaskInputs,
                         confidence_alpha_blend)

__all__ = ['ConfidentCopyPaste', 'CutLERCopyPaste', 'LoadSpatialConfidence', 'PackPseudoMaskInputs',
           'PseudoMaskDataset', 'SpatialConfidenceMasks', 'confidence_alpha_blend', 'decode_spatial_confidence']
