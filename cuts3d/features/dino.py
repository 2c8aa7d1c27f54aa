"""DINO ViT-S/8, ViT-B/8, ViT-S/16, ViT-B/16: last-block keys, the features of CutLER's MaskCut and CutS3D."""
from __future__ import annotations

from collections.abc import Sequence

from ..registry import FEATURE_EXTRACTORS
from ..weights import OFFICIAL_WEIGHTS
from .vit_keys import ViTKeyExtractor

#: (arch, patch size) -> the release's short name in :data:`cuts3d.weights.OFFICIAL_WEIGHTS`.
DINO_RELEASES = {('vit_small', 8): 'dino_vits8', ('vit_small', 16): 'dino_vits16', ('vit_base', 8): 'dino_vitb8',
                 ('vit_base', 16): 'dino_vitb16'}


@FEATURE_EXTRACTORS.register_module()
class DINOFeatures(ViTKeyExtractor):
    """DINO (Caron et al., 2021) ViT; features = keys of the last attention block, ``C x h x w``.

    ``checkpoint`` is an official DINO backbone file, by URL or local path, e.g.
    ``https://dl.fbaipublicfiles.com/dino/dino_vitbase8_pretrain/dino_vitbase8_pretrain.pth`` (ViT-B/8, the CutS3D
    paper's backbone; all four in :data:`cuts3d.weights.OFFICIAL_WEIGHTS`): a flat state dict with timm-style
    names. Position embeddings (trained at 224 px) are resized to the extraction grid with DINO's own bicubic
    ``interpolate_pos_encoding`` (scale factor with the +0.1 offset).

    Args:
        arch: ``'vit_small'`` (384 wide, 6 heads) or ``'vit_base'`` (768 wide, 12 heads), or an mmpretrain arch dict.
        patch_size: 8 or 16.
        checkpoint: URL or path of the official weights; required unless ``pretrained=False``.
        input_size: ``(H, W)`` every image is resized to; 480 x 480 as in MaskCut.
        device: torch device.
        pretrained: ``False``: random weights (tests, benchmarks).
    """

    archs = ('vit_small', 'vit_base')
    patch_sizes = (8, 16)
    pos_embed_offset = 0.1

    def __init__(self, arch: str | dict = 'vit_base', patch_size: int = 8, checkpoint: str | None = None,
                 input_size: Sequence[int] = (480, 480), device: str = 'cpu', pretrained: bool = True) -> None:
        super().__init__(arch, patch_size, checkpoint, input_size, device, pretrained=pretrained)

    def official_weights(self, arch: str | dict, patch_size: int, num_register_tokens: int | None) -> str | None:
        name = DINO_RELEASES.get((arch, patch_size)) if isinstance(arch, str) else None
        return OFFICIAL_WEIGHTS[name] if name else None
