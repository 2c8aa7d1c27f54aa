"""DINOv2 ViT-S/14, ViT-B/14, ViT-L/14 (Oquab et al., 2024), with or without register tokens: last-block keys."""
from __future__ import annotations

from collections.abc import Sequence

from ..registry import FEATURE_EXTRACTORS
from .vit_keys import ViTKeyExtractor


@FEATURE_EXTRACTORS.register_module()
class DINOv2Features(ViTKeyExtractor):
    """DINOv2 ViT; features = keys of the last attention block, ``C x h x w``, CLS and register tokens dropped.

    ``checkpoint`` is an official DINOv2 backbone file (``dinov2_vits14_pretrain.pth``,
    ``dinov2_vitb14_reg4_pretrain.pth``, ...): a flat state dict with timm-style names plus layer scale
    (``blocks.N.ls1.gamma``/``ls2.gamma``), ``mask_token`` (unused here, logged as unexpected) and, for the
    ``_reg`` models, ``register_tokens``, which are inserted after the CLS token as DINOv2 does. Position
    embeddings (trained at 518 px, a 37 x 37 grid) are resized with DINOv2's bicubic interpolation (scale factor
    with the +0.1 offset, no antialiasing). ViT-g (SwiGLU MLP) is not offered. ``checkpoint=None`` means random
    weights, with a warning.

    Args:
        arch: ``'vit_small'``, ``'vit_base'`` or ``'vit_large'``, or an mmpretrain arch dict.
        checkpoint: path to the official weights, or None.
        input_size: ``(H, W)`` every image is resized to; a multiple of 14, 476 x 476 (a 34 x 34 grid) by default,
            the multiple of 14 nearest MaskCut's 480.
        device: torch device.
        num_register_tokens: None takes the count from the checkpoint; an int must match it.
    """

    archs = ('vit_small', 'vit_base', 'vit_large')
    patch_sizes = (14,)
    pos_embed_offset = 0.1
    layer_scale_init_value = 1e-5

    def __init__(self, arch: str | dict = 'vit_base', checkpoint: str | None = None,
                 input_size: Sequence[int] = (476, 476), device: str = 'cpu',
                 num_register_tokens: int | None = None) -> None:
        super().__init__(arch, 14, checkpoint, input_size, device, num_register_tokens)
