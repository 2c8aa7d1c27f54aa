"""DiffNCuts ViT-S/8: DINO ViT-S/8 fine-tuned with a differentiable NCut, the CutS3D paper's best backbone."""
from __future__ import annotations

from collections.abc import Sequence

import torch

from ..registry import FEATURE_EXTRACTORS
from ..weights import MANUAL_DOWNLOADS, load_foreign_weights, strip_prefixes, unwrap_state_dict
from .vit_keys import ViTKeyExtractor


@FEATURE_EXTRACTORS.register_module()
class DiffNCutsFeatures(ViTKeyExtractor):
    """DiffNCuts ViT-S/8; features = keys of the last attention block, ``C x h x w``, as for DINO.

    The release checkpoint (no direct URL: a Google Drive page linked from the DiffNCuts repository, see
    :data:`cuts3d.weights.MANUAL_DOWNLOADS`) is a training dict ``{'model', 'optimizer', 'epoch'}`` whose weight
    names carry ``module.`` (DistributedDataParallel) and ``net.`` prefixes; they are stripped, leaving DINO's
    timm-style names, and loaded non-strictly with missing/unexpected keys logged. Position embeddings are
    interpolated as DINO does.

    Args:
        checkpoint: local path (or URL, e.g. of your own mirror) of the DiffNCuts weights; required unless
            ``pretrained=False``.
        input_size: ``(H, W)`` every image is resized to.
        device: torch device.
        arch: ``'vit_small'`` (the released model) or an mmpretrain arch dict.
        pretrained: ``False``: random weights (tests, benchmarks).
    """

    archs = ('vit_small',)
    patch_sizes = (8,)
    pos_embed_offset = 0.1
    prefixes = ('module.', 'net.')

    def __init__(self, checkpoint: str | None = None, input_size: Sequence[int] = (480, 480), device: str = 'cpu',
                 arch: str | dict = 'vit_small', pretrained: bool = True) -> None:
        super().__init__(arch, 8, checkpoint, input_size, device, pretrained=pretrained)

    def missing_weights_message(self, arch: str | dict, patch_size: int, num_register_tokens: int | None) -> str:
        page, path = MANUAL_DOWNLOADS['diffncuts_vits8']
        return (f'DiffNCutsFeatures needs the DiffNCuts weights, which have no direct URL: download them from {page}, '
                f"save them as {path} and set checkpoint='{path}'; pretrained=False runs on random weights "
                '(tests and benchmarks only)')

    def read_state_dict(self, path: str) -> dict[str, torch.Tensor]:
        """``ckpt['model']`` with the ``module.``/``net.`` prefixes removed."""
        return strip_prefixes(unwrap_state_dict(load_foreign_weights(path), path), self.prefixes)
