"""MAE ViT-B/16 and ViT-L/16 (He et al., 2022): last-block keys of the pre-trained encoder."""
from __future__ import annotations

from collections.abc import Sequence

import torch

from ..engine.checkpoint import load_foreign_weights
from ..registry import FEATURE_EXTRACTORS
from .vit_checkpoint import unwrap_state_dict
from .vit_keys import ViTKeyExtractor


@FEATURE_EXTRACTORS.register_module()
class MAEFeatures(ViTKeyExtractor):
    """MAE encoder; features = keys of the last attention block, ``C x h x w``, as for DINO.

    ``checkpoint`` is an official MAE file (``mae_pretrain_vit_base.pth``, ``mae_pretrain_vit_large.pth``):
    ``{'model': state_dict}`` with timm-style names; decoder weights, if the file has them, are ignored (logged as
    unexpected). Position embeddings are resized by output size, bicubic, as MAE's ``interpolate_pos_embed`` does.
    ViT-H/14 is not offered. ``checkpoint=None`` means random weights, with a warning.

    Args:
        arch: ``'vit_base'`` or ``'vit_large'``, or an mmpretrain arch dict.
        checkpoint: path to the official weights, or None.
        input_size: ``(H, W)`` every image is resized to; a multiple of 16.
        device: torch device.
    """

    archs = ('vit_base', 'vit_large')
    patch_sizes = (16,)
    pos_embed_offset = None

    def __init__(self, arch: str | dict = 'vit_base', checkpoint: str | None = None,
                 input_size: Sequence[int] = (480, 480), device: str = 'cpu') -> None:
        super().__init__(arch, 16, checkpoint, input_size, device)

    def read_state_dict(self, path: str) -> dict[str, torch.Tensor]:
        """``ckpt['model']`` (or the file itself when it is already flat)."""
        return unwrap_state_dict(load_foreign_weights(path), 'model', path)
