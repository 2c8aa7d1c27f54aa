"""FEATURE_EXTRACTORS: dense patch features from self-supervised (and stand-in) backbones.

Every extractor maps an RGB uint8 ``H x W x 3`` image to :class:`~cuts3d.structures.PatchFeatures` (float32
``C x h x w``): the ViTs (DINO, DiffNCuts, MAE, DINOv2) give the keys of their last attention block, as CutLER's
MaskCut uses; EfficientNet-Lite0 is a supervised stand-in with real weights for demos; PatchColorFeatures is a
weight-free colour descriptor for tests and synthetic scenes.

Names: a registered extractor is ``<weights>Features``, named after the weights (or rule) that make its features,
as timm tags a model with its pretrained weights; the network is an argument (``arch``, ``patch_size``). The bases
are ``*Extractor``. mmpretrain's ViT (which imports mmdet's models) loads when a ViT extractor is built.
"""
from .base import PatchFeatureExtractor
from .diffncuts import DiffNCutsFeatures
from .dino import DINOFeatures
from .dinov2 import DINOv2Features
from .efficientnet_lite import EfficientNetLite0Features
from .mae import MAEFeatures
from .patch_color import PatchColorFeatures
from .vit_keys import ViTKeyExtractor

__all__ = ['PatchFeatureExtractor', 'ViTKeyExtractor', 'DINOFeatures', 'DiffNCutsFeatures', 'MAEFeatures',
           'DINOv2Features', 'EfficientNetLite0Features', 'PatchColorFeatures']
