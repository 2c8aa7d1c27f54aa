"""FEATURE_EXTRACTORS: dense patch features from self-supervised (and stand-in) backbones.

Every extractor maps an RGB uint8 ``H x W x 3`` image to :class:`~cuts3d.structures.PatchFeatures` (float32
``C x h x w``): the ViTs (DINO, DiffNCuts, MAE, DINOv2) give the keys of their last attention block, as CutLER's
MaskCut uses; EfficientNet-Lite0 is a supervised stand-in with real weights for demos; PatchColorFeatures is a
weight-free colour descriptor for tests and synthetic scenes.
"""
from .base import PatchFeatureExtractor
from .diffncuts import DiffNCutsViT
from .dino import DINOViT
from .dinov2 import DINOv2ViT
from .efficientnet_lite import EfficientNetLite0Features
from .mae import MAEViT
from .patch_color import PatchColorFeatures
from .vit_keys import ViTKeyExtractor

__all__ = ['PatchFeatureExtractor', 'ViTKeyExtractor', 'DINOViT', 'DiffNCutsViT', 'MAEViT',
           'DINOv2ViT', 'EfficientNetLite0Features', 'PatchColorFeatures']
