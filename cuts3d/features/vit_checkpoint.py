"""Official ViT checkpoints (DINO, DiffNCuts, MAE, DINOv2: timm-style key names) into mmpretrain's VisionTransformer.

The releases name their weights as timm does (``blocks.N.attn.qkv``, ``patch_embed.proj``, ``norm``), mmpretrain
as OpenMMLab does (``layers.N.attn.qkv``, ``patch_embed.projection``, ``ln1``). :func:`timm_vit_to_mmpretrain`
renames; :func:`interpolate_pos_embed` resizes the position embeddings (trained at 224 px, or 518 px for DINOv2) to
the extraction grid the way the releases' own code does, so the features match theirs.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import NamedTuple

import torch
import torch.nn.functional as F

from ..engine.checkpoint import CheckpointError


class LoadResult(NamedTuple):
    """What a non-strict load left out: model weights absent from the file, file weights the model lacks."""

    missing_keys: list[str]
    unexpected_keys: list[str]


# (timm pattern, mmpretrain replacement), applied to the first one that matches.
_RENAMES: tuple[tuple[str, str], ...] = (
    (r'^patch_embed\.proj\.', 'patch_embed.projection.'),
    (r'^blocks\.(\d+)\.norm1\.', r'layers.\1.ln1.'),
    (r'^blocks\.(\d+)\.norm2\.', r'layers.\1.ln2.'),
    (r'^blocks\.(\d+)\.attn\.', r'layers.\1.attn.'),
    (r'^blocks\.(\d+)\.mlp\.fc1\.', r'layers.\1.ffn.layers.0.0.'),
    (r'^blocks\.(\d+)\.mlp\.fc2\.', r'layers.\1.ffn.layers.1.'),
    (r'^blocks\.(\d+)\.ls1\.gamma$', r'layers.\1.attn.gamma1.weight'),
    (r'^blocks\.(\d+)\.ls2\.gamma$', r'layers.\1.ffn.gamma2.weight'),
    (r'^norm\.', 'ln1.'),
)


def timm_vit_to_mmpretrain(state_dict: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Rename timm-style ViT keys to mmpretrain ``VisionTransformer`` keys.

    ``cls_token``, ``pos_embed`` and ``register_tokens`` keep their names; keys no rule knows (``head.*``, MAE's
    ``decoder_*``, DINOv2's ``mask_token``) pass through unchanged and are later reported as unexpected.
    """
    converted = {}
    for key, value in state_dict.items():
        for pattern, replacement in _RENAMES:
            new_key, count = re.subn(pattern, replacement, key)
            if count:
                key = new_key
                break
        converted[key] = value
    return converted


def strip_prefixes(state_dict: dict[str, torch.Tensor], prefixes: Iterable[str]) -> dict[str, torch.Tensor]:
    """Remove wrapper prefixes (``module.`` from DistributedDataParallel, ``net.`` ...) from the start of every key,
    repeatedly and in any order, so ``module.net.blocks.0`` becomes ``blocks.0``."""
    prefixes = tuple(prefixes)
    stripped = {}
    for key, value in state_dict.items():
        while key.startswith(prefixes):
            key = key[len(next(p for p in prefixes if key.startswith(p))):]
        stripped[key] = value
    return stripped


def unwrap_state_dict(ckpt: dict, key: str, source: str) -> dict[str, torch.Tensor]:
    """``ckpt[key]`` when the release nests its weights (MAE, DiffNCuts: ``{'model': ...}``), else ``ckpt``."""
    weights = ckpt.get(key, ckpt)
    if not isinstance(weights, dict) or not any(isinstance(v, torch.Tensor) for v in weights.values()):
        raise CheckpointError(f'{source} holds no tensors under {key!r} nor at the top level; '
                              f'top-level keys: {sorted(ckpt)[:10]}')
    return weights


def interpolate_pos_embed(pos_embed: torch.Tensor, grid: tuple[int, int], offset: float | None = 0.1,
                          num_extra_tokens: int = 1) -> torch.Tensor:
    """Resize ``1 x (extra + M*M) x C`` position embeddings to the ``h x w`` patch grid, bicubic.

    ``offset=0.1`` reproduces DINO's (and DINOv2's) ``interpolate_pos_encoding``: it interpolates by
    ``scale_factor = (h + 0.1) / M`` rather than by output size, which changes the sampling positions slightly;
    ``offset=None`` resizes by output size as MAE's ``interpolate_pos_embed`` does. Both keep the extra (CLS) tokens'
    embeddings and return the input unchanged when the grid already matches.
    """
    extra, patch = pos_embed[:, :num_extra_tokens], pos_embed[:, num_extra_tokens:]
    side = math.isqrt(patch.shape[1])
    if side * side != patch.shape[1]:
        raise CheckpointError(f'position embeddings for {patch.shape[1]} patches are not a square grid')
    if (side, side) == tuple(grid):
        return pos_embed
    dim = patch.shape[-1]
    patch = patch.reshape(1, side, side, dim).permute(0, 3, 1, 2).float()
    if offset is None:
        patch = F.interpolate(patch, size=tuple(grid), mode='bicubic', align_corners=False)
    else:
        scale = ((grid[0] + offset) / side, (grid[1] + offset) / side)
        patch = F.interpolate(patch, scale_factor=scale, mode='bicubic')
    if tuple(patch.shape[-2:]) != tuple(grid):
        raise CheckpointError(f'position embedding interpolation gave {tuple(patch.shape[-2:])}, expected {grid}')
    patch = patch.permute(0, 2, 3, 1).reshape(1, -1, dim).to(pos_embed.dtype)
    return torch.cat((extra, patch), dim=1)
