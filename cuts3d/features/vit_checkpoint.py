"""Official ViT checkpoints (DINO, DiffNCuts, MAE, DINOv2) fitted to the extraction grid of mmpretrain's ViT.

The key renaming (timm -> mmpretrain) lives with the other release layouts in :mod:`cuts3d.weights.state_dict`;
:func:`interpolate_pos_embed` resizes the position embeddings (trained at 224 px, or 518 px for DINOv2) to the
extraction grid the way the releases' own code does, so the features match theirs.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import torch
import torch.nn.functional as F

from ..weights import CheckpointError


class LoadResult(NamedTuple):
    """What a non-strict load left out: model weights absent from the file, file weights the model lacks."""

    missing_keys: list[str]
    unexpected_keys: list[str]


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
