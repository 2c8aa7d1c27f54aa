"""DPT for relative inverse depth (MiDaS v3 ``DPTDepthModel``), on mmpretrain's ``VisionTransformer``.

Structure (Ranftl et al., ICCV 2021): a ViT whose tokens are tapped after four layers (``hooks``), reassembled
into maps at 1/4, 1/8, 1/16 and 1/32 of the input, projected to ``features`` channels (``scratch.layerN_rn``),
fused coarse-to-fine (``scratch.refinenet4`` ... ``refinenet1``) and decoded by the depth head
(``scratch.output_conv``) to a non-negative inverse depth at the input size. DPT-Hybrid replaces the patch
embedding by a ResNet-50 stem and takes its two fine features from that ResNet's first two stages.

Module names mirror MiDaS (``pretrained.model``, ``pretrained.act_postprocessN``, ``scratch.*``); only the ViT
under ``pretrained.model`` uses mmpretrain's names, and :mod:`cuts3d.depth.dpt.dpt_checkpoint` maps timm's.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn as nn
from mmpretrain.models.backbones import VisionTransformer

from .dpt_blocks import FusionBlock, Reassemble, depth_head
from .hybrid_resnet import HybridPatchEmbed, HybridResNet

#: The MiDaS v3 DPT variants (``midas/dpt_depth.py`` and ``midas/vit.py``), as :class:`DPTNet` arguments.
#: ``dpt_large`` / ``dpt_hybrid`` are the released ``dpt_large-midas-2f21e586.pt`` / ``dpt_hybrid-midas-501f0c75.pt``
#: architectures; ``dpt_base`` is MiDaS's ``vitb16_384`` backbone.
DPT_PRESETS: dict[str, dict[str, Any]] = {
    'dpt_large': dict(vit_arch='large', hooks=(5, 11, 17, 23), reassemble_channels=(256, 512, 1024, 1024)),
    'dpt_base': dict(vit_arch='base', hooks=(2, 5, 8, 11), reassemble_channels=(96, 192, 384, 768)),
    'dpt_hybrid': dict(vit_arch='base', hooks=(8, 11), reassemble_channels=(768, 768),
                       hybrid=dict(layers=(3, 4, 9), channels=(256, 512, 1024), stem_channels=64, num_groups=32)),
}


class DPTEncoder(nn.Module):
    """MiDaS's ``pretrained``: the ViT (``model``) and its reassemble blocks (``act_postprocessN``).

    Plain ViT: ``hooks`` are four layer indices, reassembled at scales 4, 2, 1 and 1/2 of the token grid.
    Hybrid (``hybrid`` = :class:`HybridResNet` arguments): the first two features are the ResNet's first two
    stage outputs as they are (MiDaS's ``act_postprocess1/2`` are identities), ``hooks`` are two layer indices
    reassembled at scales 1 and 1/2.
    """

    def __init__(self, vit_arch: str | dict, hooks: Sequence[int], reassemble_channels: Sequence[int],
                 img_size: int, patch_size: int, readout: str, hybrid: dict | None) -> None:
        super().__init__()
        n_token_features = 2 if hybrid is not None else 4
        if len(hooks) != n_token_features or len(reassemble_channels) != n_token_features:
            raise ValueError(f'a {"hybrid" if hybrid is not None else "plain"} DPT taps {n_token_features} ViT '
                             f'layers: need that many hooks and reassemble_channels; got {tuple(hooks)} and '
                             f'{tuple(reassemble_channels)}')
        num_layers = (VisionTransformer.arch_zoo.get(vit_arch.lower(), {}) if isinstance(vit_arch, str)
                      else vit_arch).get('num_layers')
        if num_layers is not None and not all(0 <= hook < num_layers for hook in hooks):
            raise ValueError(f'hooks {tuple(hooks)} must be ViT layer indices in [0, {num_layers})')
        self.model = VisionTransformer(arch=vit_arch, img_size=img_size, patch_size=patch_size,
                                       out_indices=list(hooks), final_norm=False, out_type='raw',
                                       interpolate_mode='bilinear')
        self.patch_size = patch_size
        embed_dims = self.model.embed_dims
        if hybrid is not None:
            backbone = HybridResNet(**hybrid)
            stride = 4 * 2 ** (len(backbone.channels) - 1)
            if stride != patch_size:
                raise ValueError(f'the hybrid ResNet has output stride {stride}; patch_size must match it, '
                                 f'got {patch_size}')
            self.model.patch_embed = HybridPatchEmbed(backbone, embed_dims)
            self.channels = (*backbone.channels[:2], *reassemble_channels)
            scales: tuple[float, ...] = (1, 0.5)
        else:
            self.channels = tuple(reassemble_channels)
            scales = (4, 2, 1, 0.5)
        first = 5 - n_token_features
        for index, (channels, scale) in enumerate(zip(reassemble_channels, scales), start=first):
            self.add_module(f'act_postprocess{index}', Reassemble(readout, embed_dims, channels, scale))
        self.hybrid = hybrid is not None

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        height, width = x.shape[-2:]
        if height % self.patch_size or width % self.patch_size:
            raise ValueError(f'DPT input {height}x{width} must be a multiple of the patch size {self.patch_size}')
        grid = (height // self.patch_size, width // self.patch_size)
        tokens = self.model(x)
        features: list[torch.Tensor] = []
        if self.hybrid:
            features += self.model.patch_embed.stage_outputs[:2]
            self.model.patch_embed.stage_outputs = []
        first = len(features) + 1
        features += [self.get_submodule(f'act_postprocess{i}')(t, grid) for i, t in enumerate(tokens, start=first)]
        return features


class DPTNet(nn.Module):
    """DPT depth network: ``B x 3 x H x W`` (normalised RGB, H and W multiples of ``2 * patch_size``) ->
    ``B x H x W`` inverse relative depth (non-negative when ``non_negative``).

    Args:
        vit_arch: mmpretrain ``VisionTransformer`` arch name (``'base'``, ``'large'``) or dict (``embed_dims``,
            ``num_layers``, ``num_heads``, ``feedforward_channels``).
        hooks: ViT layer indices whose tokens are reassembled (4 plain, 2 hybrid).
        reassemble_channels: channels of the reassembled token features.
        img_size: the size the position embedding was trained at (other sizes interpolate it bilinearly).
        patch_size: ViT patch size (the hybrid: the ResNet's output stride, 16).
        features: channels of the fusion path (MiDaS: 256).
        head_channels: channels before the head's last conv (MiDaS: 32).
        readout: ``'project'`` (MiDaS DPT), ``'add'`` or ``'ignore'``.
        hybrid: :class:`HybridResNet` arguments for DPT-Hybrid, None for a plain ViT.
        non_negative: end the head with ReLU (MiDaS: True).
    """

    def __init__(self, vit_arch: str | dict = 'base', hooks: Sequence[int] = (2, 5, 8, 11),
                 reassemble_channels: Sequence[int] = (96, 192, 384, 768), img_size: int = 384,
                 patch_size: int = 16, features: int = 256, head_channels: int = 32, readout: str = 'project',
                 hybrid: dict | None = None, non_negative: bool = True) -> None:
        super().__init__()
        self.pretrained = DPTEncoder(vit_arch, hooks, reassemble_channels, img_size, patch_size, readout, hybrid)
        self.scratch = nn.Module()
        for index, channels in enumerate(self.pretrained.channels, start=1):
            self.scratch.add_module(f'layer{index}_rn',
                                    nn.Conv2d(channels, features, kernel_size=3, padding=1, bias=False))
            self.scratch.add_module(f'refinenet{index}', FusionBlock(features))
        self.scratch.output_conv = depth_head(features, head_channels, non_negative)
        self.patch_size = patch_size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        scratch = self.scratch
        layer1, layer2, layer3, layer4 = (scratch.get_submodule(f'layer{i}_rn')(feature)
                                          for i, feature in enumerate(self.pretrained(x), start=1))
        path = scratch.refinenet4(layer4, size=layer3.shape[2:])
        path = scratch.refinenet3(path, layer3, size=layer2.shape[2:])
        path = scratch.refinenet2(path, layer2, size=layer1.shape[2:])
        path = scratch.refinenet1(path, layer1)
        return scratch.output_conv(path).squeeze(1)


def build_dpt(arch: str | dict) -> DPTNet:
    """A :class:`DPTNet` from a preset name (:data:`DPT_PRESETS`) or a dict of :class:`DPTNet` arguments."""
    if isinstance(arch, str):
        if arch not in DPT_PRESETS:
            raise ValueError(f'unknown DPT arch {arch!r}; presets: {sorted(DPT_PRESETS)} (or a dict of DPTNet '
                             f'arguments)')
        return DPTNet(**DPT_PRESETS[arch])
    if isinstance(arch, dict):
        return DPTNet(**arch)
    raise TypeError(f'arch must be a preset name or a dict of DPTNet arguments; got {type(arch).__name__}')
