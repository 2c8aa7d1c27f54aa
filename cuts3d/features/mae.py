"""MAE ViT-B/16 and ViT-L/16 (He et al., 2022): last-block keys of the pre-trained encoder."""
from __future__ import annotations

from collections.abc import Sequence

import torch

from ..registry import FEATURE_EXTRACTORS
from ..weights import OFFICIAL_WEIGHTS, load_foreign_weights, unwrap_state_dict
from .vit_keys import ViTKeyExtractor

_RELEASES = {'vit_base': 'mae_vitb16', 'vit_large': 'mae_vitl16'}


@FEATURE_EXTRACTORS.register_module()
class MAEFeatures(ViTKeyExtractor):
    """MAE encoder; features = keys of the last attention block, ``C x h x w``, as for DINO.

    ``checkpoint`` is an official MAE file, by URL or local path
    (``https://dl.fbaipublicfiles.com/mae/pretrain/mae_pretrain_vit_base.pth``, ``..._vit_large.pth``):
    ``{'model': state_dict}`` with timm-style names; decoder weights, if the file has them, are ignored (logged as
    unexpected). Position embeddings are resized by output size, bicubic, as MAE's ``interpolate_pos_embed`` does.
    ViT-H/14 is not offered.

    Args:
        arch: ``'vit_base'`` or ``'vit_large'``, or an mmpretrain arch dict.
        checkpoint: URL or path of the official weights; required unless ``pretrained=False``.
        input_size: ``(H, W)`` every image is resized to; a multiple of 16.
        device: torch device.
        pretrained: ``False``: random weights (tests, benchmarks).
    """

    archs = ('vit_base', 'vit_large')
    patch_sizes = (16,)
    pos_embed_offset = None

    def __init__(self, arch: str | dict = 'vit_base', checkpoint: str | None = None,
                 input_size: Sequence[int] = (480, 480), device: str = 'cpu', pretrained: bool = True) -> None:
        super().__init__(arch, 16, checkpoint, input_size, device, pretrained=pretrained)

    def official_weights(self, arch: str | dict, patch_size: int, num_register_tokens: int | None) -> str | None:
        return OFFICIAL_WEIGHTS[_RELEASES[arch]] if isinstance(arch, str) else None

    def read_state_dict(self, path: str) -> dict[str, torch.Tensor]:
        """``ckpt['model']`` (or the file itself when it is already flat)."""
        return unwrap_state_dict(load_foreign_weights(path), path)
