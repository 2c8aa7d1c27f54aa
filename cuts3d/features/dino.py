"""DINO ViT-S/8, ViT-B/8, ViT-S/16, ViT-B/16: last-block keys, the features of CutLER's MaskCut and CutS3D."""
from __future__ import annotations

from collections.abc import Sequence

from ..registry import FEATURE_EXTRACTORS
from .vit_keys import ViTKeyExtractor


@FEATURE_EXTRACTORS.register_module()
class DINOFeatures(ViTKeyExtractor):
    """DINO (Caron et al., 2021) ViT; features = keys of the last attention block, ``C x h x w``.

    ``checkpoint`` is an official DINO backbone file, e.g. ``dino_vitbase8_pretrain.pth`` (ViT-B/8, the CutS3D
    paper's backbone) or ``dino_deitsmall8_300ep_pretrain.pth`` (ViT-S/8): a flat state dict with timm-style names.
    Position embeddings (trained at 224 px) are resized to the extraction grid with DINO's own bicubic
    ``interpolate_pos_encoding`` (scale factor with the +0.1 offset). ``checkpoint=None`` means random weights,
    with a :class:`~cuts3d.features.base.RandomWeightsWarning`.

    Args:
        arch: ``'vit_small'`` (384 wide, 6 heads) or ``'vit_base'`` (768 wide, 12 heads), or an mmpretrain arch dict.
        patch_size: 8 or 16.
        checkpoint: path to the official weights, or None.
        input_size: ``(H, W)`` every image is resized to; 480 x 480 as in MaskCut.
        device: torch device.
    """

    archs = ('vit_small', 'vit_base')
    patch_sizes = (8, 16)
    pos_embed_offset = 0.1

    def __init__(self, arch: str | dict = 'vit_base', patch_size: int = 8, checkpoint: str | None = None,
                 input_size: Sequence[int] = (480, 480), device: str = 'cpu') -> None:
        super().__init__(arch, patch_size, checkpoint, input_size, device)
