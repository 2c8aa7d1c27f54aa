"""Pseudo-mask datasets, plain image folders, and the transforms that carry Spatial Confidence through the pipeline."""
from .image_folder_dataset import ImageFolderDataset
from .pseudo_mask_dataset import PseudoMaskDataset
from .spatial_confidence_masks import SpatialConfidenceMasks, decode_spatial_confidence
from .synthetic import SCENE_KINDS, SyntheticScene, generate_scene, write_synthetic_dataset
from .transforms import (ConfidentCopyPaste, CutLERCopyPaste, LoadSpatialConfidence, PackPseudoMaskInputs,
                         confidence_alpha_blend)

__all__ = ['SCENE_KINDS', 'ConfidentCopyPaste', 'CutLERCopyPaste', 'ImageFolderDataset', 'LoadSpatialConfidence',
           'PackPseudoMaskInputs', 'PseudoMaskDataset', 'SpatialConfidenceMasks', 'SyntheticScene',
           'confidence_alpha_blend', 'decode_spatial_confidence', 'generate_scene', 'write_synthetic_dataset']
