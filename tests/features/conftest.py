"""Fixtures for the feature-extractor tests: tiny official-layout ViT weights and an independent reference forward.

``official_vit_weights`` writes random tensors under the key names the DINO / MAE / DINOv2 releases use (spelled
out here from those releases, not derived from cuts3d's key mapping). ``reference_vit_keys`` computes the last
block's keys from such a state dict with plain torch ops, following DINO's ``VisionTransformer`` (pre-norm blocks,
LayerNorm eps 1e-6, exact GELU, ``interpolate_pos_encoding``) and DINOv2's additions (layer scale, register tokens
after the CLS token, ViT-g's SwiGLU feed-forward), so the extractors are checked against the releases' forward,
not against mmpretrain alone.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

TINY_ARCH = dict(embed_dims=32, num_layers=2, num_heads=4, feedforward_channels=64)


def _official_vit_weights(arch: dict, patch_size: int, pos_grid: int, layer_scale: bool = False,
                          registers: int = 0, seed: int = 0, swiglu: bool = False) -> dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    dims, hidden = arch['embed_dims'], arch['feedforward_channels']

    def rand(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, generator=gen) * 0.2

    weights = {'cls_token': rand(1, 1, dims), 'pos_embed': rand(1, 1 + pos_grid ** 2, dims),
               'patch_embed.proj.weight': rand(dims, 3, patch_size, patch_size),
               'patch_embed.proj.bias': rand(dims)}
    for i in range(arch['num_layers']):
        block = {'norm1.weight': 1 + rand(dims), 'norm1.bias': rand(dims),
                 'attn.qkv.weight': rand(3 * dims, dims), 'attn.qkv.bias': rand(3 * dims),
                 'attn.proj.weight': rand(dims, dims), 'attn.proj.bias': rand(dims),
                 'norm2.weight': 1 + rand(dims), 'norm2.bias': rand(dims)}
        if swiglu:  # DINOv2 ViT-g's SwiGLUFFNFused: hidden = (int(hidden * 2 / 3) + 7) // 8 * 8
            fused = (int(hidden * 2 / 3) + 7) // 8 * 8
            block.update({'mlp.w12.weight': rand(2 * fused, dims), 'mlp.w12.bias': rand(2 * fused),
                          'mlp.w3.weight': rand(dims, fused), 'mlp.w3.bias': rand(dims)})
        else:
            block.update({'mlp.fc1.weight': rand(hidden, dims), 'mlp.fc1.bias': rand(hidden),
                          'mlp.fc2.weight': rand(dims, hidden), 'mlp.fc2.bias': rand(dims)})
        if layer_scale:
            block.update({'ls1.gamma': 1 + rand(dims), 'ls2.gamma': 1 + rand(dims)})
        weights.update({f'blocks.{i}.{name}': value for name, value in block.items()})
    weights.update({'norm.weight': 1 + rand(dims), 'norm.bias': rand(dims)})
    if registers:
        weights['register_tokens'] = rand(1, registers, dims)
    return weights


def _reference_vit_keys(weights: dict[str, torch.Tensor], image: torch.Tensor, patch_size: int, num_heads: int,
                        pos_offset: float | None = 0.1) -> torch.Tensor:
    """Keys ``C x h x w`` of the last block, computed as DINO's / DINOv2's / MAE's code does."""
    dims = weights['cls_token'].shape[-1]
    grid = (image.shape[-2] // patch_size, image.shape[-1] // patch_size)
    x = F.conv2d(image, weights['patch_embed.proj.weight'], weights['patch_embed.proj.bias'], stride=patch_size)
    x = torch.cat((weights['cls_token'], x.flatten(2).transpose(1, 2)), dim=1)
    pos = weights['pos_embed']
    side = math.isqrt(pos.shape[1] - 1)
    if (side, side) != grid:
        patch_pos = pos[:, 1:].reshape(1, side, side, dims).permute(0, 3, 1, 2)
        if pos_offset is None:  # MAE: interpolate_pos_embed by output size
            patch_pos = F.interpolate(patch_pos, size=grid, mode='bicubic', align_corners=False)
        else:  # DINO / DINOv2: interpolate_pos_encoding by scale factor with the +0.1 offset
            patch_pos = F.interpolate(patch_pos, mode='bicubic', scale_factor=(
                (grid[0] + pos_offset) / side, (grid[1] + pos_offset) / side))
        pos = torch.cat((pos[:, :1], patch_pos.permute(0, 2, 3, 1).reshape(1, -1, dims)), dim=1)
    x = x + pos
    registers = weights.get('register_tokens', torch.zeros(1, 0, dims))
    x = torch.cat((x[:, :1], registers, x[:, 1:]), dim=1)
    num_layers = 1 + max(int(k.split('.')[1]) for k in weights if k.startswith('blocks.'))
    head_dims = dims // num_heads
    for i in range(num_layers):
        w = {k[len(f'blocks.{i}.'):]: v for k, v in weights.items() if k.startswith(f'blocks.{i}.')}
        qkv = F.linear(F.layer_norm(x, (dims,), w['norm1.weight'], w['norm1.bias'], eps=1e-6),
                       w['attn.qkv.weight'], w['attn.qkv.bias'])
        if i == num_layers - 1:
            tokens = x.shape[1]
            keys = qkv.reshape(1, tokens, 3, num_heads, head_dims).permute(2, 0, 3, 1, 4)[1]
            keys = keys.transpose(1, 2).reshape(1, tokens, dims)[0, 1 + registers.shape[1]:]
            return keys.transpose(0, 1).reshape(dims, *grid)
        q, k, v = qkv.reshape(1, x.shape[1], 3, num_heads, head_dims).permute(2, 0, 3, 1, 4)
        attn = ((q @ k.transpose(-2, -1)) * head_dims ** -0.5).softmax(dim=-1)
        y = F.linear((attn @ v).transpose(1, 2).reshape(1, x.shape[1], dims), w['attn.proj.weight'],
                     w['attn.proj.bias'])
        x = x + y * w.get('ls1.gamma', 1.0)
        y = F.layer_norm(x, (dims,), w['norm2.weight'], w['norm2.bias'], eps=1e-6)
        if 'mlp.w12.weight' in w:  # DINOv2's SwiGLUFFN: w3(silu(x1) * x2) with x1, x2 = w12(x).chunk(2)
            y1, y2 = F.linear(y, w['mlp.w12.weight'], w['mlp.w12.bias']).chunk(2, dim=-1)
            y = F.linear(F.silu(y1) * y2, w['mlp.w3.weight'], w['mlp.w3.bias'])
        else:
            y = F.linear(F.gelu(F.linear(y, w['mlp.fc1.weight'], w['mlp.fc1.bias'])), w['mlp.fc2.weight'],
                         w['mlp.fc2.bias'])
        x = x + y * w.get('ls2.gamma', 1.0)
    raise AssertionError('unreachable: the loop returns at the last block')


@pytest.fixture
def official_vit_weights():
    """Factory: random tensors under a release's timm-style names for an mmpretrain-style arch dict."""
    return _official_vit_weights


@pytest.fixture
def reference_vit_keys():
    """Function: last-block keys from a timm-style state dict, computed as the releases' own code does."""
    return _reference_vit_keys


@pytest.fixture
def odd_image():
    """A non-square image with odd sides and some structure, RGB uint8."""
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, size=(37, 53, 3), dtype=np.uint8)
    image[5:20, 10:30] = (200, 30, 30)
    return image


@pytest.fixture
def tiny_arch():
    """An mmpretrain custom arch small enough for CPU tests: 32 wide, 2 blocks, 4 heads."""
    return dict(TINY_ARCH)
