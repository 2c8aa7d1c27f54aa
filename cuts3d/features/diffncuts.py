"""DiffNCuts ViT-S/8: DINO ViT-S/8 fine-tuned with a differentiable NCut, the CutS3D paper's best backbone."""
from __future__ import annotations

from collections.abc import Sequence

import torch

from ..engine.checkpoint import load_foreign_weights
from ..registry import FEATURE_EXTRACTORS
from .vit_checkpoint import strip_prefixes, unwrap_state_dict
from .vit_keys import ViTKeyExtractor


@FEATURE_EXTRACTORS.register_module()
class DiffNCutsFeatures(ViTKeyExtractor):
    """DiffNCuts ViT-S/8; features = keys of the last attention block, ``C x h x w``, as for DINO.

    The release checkpoint is a training dict ``{'model', 'optimizer', 'epoch'}`` whose weight names carry
    ``module.`` (DistributedDataParallel) and ``net.`` prefixes; they are stripped, leaving DINO's timm-style
    names, and loaded non-strictly with missing/unexpected keys logged. Position embeddings are interpolated as DINO
    does. ``checkpoint=None`` means random weights, with a warning.

    Args:
        checkpoint: path to the DiffNCuts weights, or None.
        input_size: ``(H, W)`` every image is resized to.
        device: torch device.
        arch: ``'vit_small'`` (the released model) or an mmpretrain arch dict.
    """

    archs = ('vit_small',)
    patch_sizes = (8,)
    pos_embed_offset = 0.1
    prefixes = ('module.', 'net.')

    def __init__(self, checkpoint: str | None = None, input_size: Sequence[int] = (480, 480), device: str = 'cpu',
                 arch: str | dict = 'vit_small') -> None:
        super().__init__(arch, 8, checkpoint, input_size, device)

    def read_state_dict(self, path: str) -> dict[str, torch.Tensor]:
        """``ckpt['model']`` with the ``module.``/``net.`` prefixes removed."""
        return strip_prefixes(unwrap_state_dict(load_foreign_weights(path), 'model', path), self.prefixes)
