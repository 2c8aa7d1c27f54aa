"""DINOv2 ViT-S/14, ViT-B/14, ViT-L/14, ViT-g/14 (Oquab et al., 2024), with or without registers: last-block keys."""
from __future__ import annotations

from collections.abc import Sequence

from ..registry import FEATURE_EXTRACTORS
from ..weights import OFFICIAL_WEIGHTS
from .vit_keys import ViTKeyExtractor

_SIZES = {'vit_small': 's', 'vit_base': 'b', 'vit_large': 'l', 'vit_giant': 'g'}


@FEATURE_EXTRACTORS.register_module()
class DINOv2Features(ViTKeyExtractor):
    """DINOv2 ViT; features = keys of the last attention block, ``C x h x w``, CLS and register tokens dropped.

    ``checkpoint`` is an official DINOv2 backbone file, by URL or local path
    (``https://dl.fbaipublicfiles.com/dinov2/dinov2_vits14/dinov2_vits14_pretrain.pth``, ``..._reg4_pretrain.pth``;
    all eight in :data:`cuts3d.weights.OFFICIAL_WEIGHTS`): a flat state dict with timm-style names plus layer scale
    (``blocks.N.ls1.gamma``/``ls2.gamma``), ``mask_token`` (unused here, logged as unexpected) and, for the
    ``_reg`` models, ``register_tokens``, which are inserted after the CLS token as DINOv2 does. ViT-g has a SwiGLU
    feed-forward (``mlp.w12``/``mlp.w3``, mmpretrain's ``swiglu_fused``). Position embeddings (trained at 518 px, a
    37 x 37 grid) are resized with DINOv2's bicubic interpolation (scale factor with the +0.1 offset, no
    antialiasing).

    Args:
        arch: ``'vit_small'``, ``'vit_base'``, ``'vit_large'`` or ``'vit_giant'``, or an mmpretrain arch dict.
        checkpoint: URL or path of the official weights; required unless ``pretrained=False``.
        input_size: ``(H, W)`` every image is resized to; a multiple of 14, 476 x 476 (a 34 x 34 grid) by default,
            the multiple of 14 nearest MaskCut's 480.
        device: torch device.
        num_register_tokens: None takes the count from the checkpoint; an int must match it.
        ffn_type: None picks ``'swiglu_fused'`` for ``'vit_giant'`` and ``'origin'`` otherwise.
        pretrained: ``False``: random weights (tests, benchmarks).
    """

    archs = ('vit_small', 'vit_base', 'vit_large', 'vit_giant')
    patch_sizes = (14,)
    pos_embed_offset = 0.1
    layer_scale_init_value = 1e-5

    def __init__(self, arch: str | dict = 'vit_base', checkpoint: str | None = None,
                 input_size: Sequence[int] = (476, 476), device: str = 'cpu',
                 num_register_tokens: int | None = None, ffn_type: str | None = None,
                 pretrained: bool = True) -> None:
        ffn_type = ffn_type or ('swiglu_fused' if arch == 'vit_giant' else 'origin')
        super().__init__(arch, 14, checkpoint, input_size, device, num_register_tokens, ffn_type, pretrained)

    def official_weights(self, arch: str | dict, patch_size: int, num_register_tokens: int | None) -> str | None:
        if not isinstance(arch, str) or num_register_tokens not in (None, 0, 4):
            return None
        return OFFICIAL_WEIGHTS[f'dinov2_vit{_SIZES[arch]}14{"_reg4" if num_register_tokens else ""}']
