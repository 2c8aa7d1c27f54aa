"""Pseudo-mask datasets and plain image folders (DATASETS), the transforms that carry Spatial Confidence through
the pipeline, and test-time loading that marks unreadable images instead of raising (TRANSFORMS).

The masks that carry Spatial Confidence, ``SpatialConfidenceMasks``, are a data type:
:mod:`cuts3d.structures.spatial_confidence_masks`. Synthetic scenes for demos and tests:
:mod:`cuts3d.utils.synthetic_images`.
"""
from .image_folder_dataset import ImageFolderDataset
from .pseudo_mask_dataset import PseudoMaskDataset
from .transforms import (ConfidentCopyPaste, CutLERCopyPaste, LoadImageFromFileOrPlaceholder, LoadSpatialConfidence,
                         PackPseudoMaskInputs, confidence_alpha_blend)

__all__ = ['ConfidentCopyPaste', 'CutLERCopyPaste', 'ImageFolderDataset', 'LoadImageFromFileOrPlaceholder',
           'LoadSpatialConfidence', 'PackPseudoMaskInputs', 'PseudoMaskDataset', 'confidence_alpha_blend']
