"""Release checkpoints into the names our networks use: unwrapping, prefix stripping, timm -> mmpretrain ViT keys.

Releases nest their weights differently (DINO/DINOv2: a flat state dict; MAE: ``{'model': ...}``; DiffNCuts:
``{'model', 'optimizer', 'epoch'}`` with ``module.``/``net.`` prefixes; mmengine: ``{'state_dict': ...}``) and name
ViT weights as timm does (``blocks.N.attn.qkv``, ``patch_embed.proj``, ``norm``) where mmpretrain's
``VisionTransformer`` says ``layers.N.attn.qkv``, ``patch_embed.projection``, ``ln1``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from .errors import CheckpointError

# (timm pattern, mmpretrain replacement), applied to the first one that matches.
TIMM_TO_MMPRETRAIN: tuple[tuple[str, str], ...] = (
    (r'^patch_embed\.proj\.', 'patch_embed.projection.'),
    (r'^blocks\.(\d+)\.norm1\.', r'layers.\1.ln1.'),
    (r'^blocks\.(\d+)\.norm2\.', r'layers.\1.ln2.'),
    (r'^blocks\.(\d+)\.attn\.', r'layers.\1.attn.'),
    (r'^blocks\.(\d+)\.mlp\.fc1\.', r'layers.\1.ffn.layers.0.0.'),
    (r'^blocks\.(\d+)\.mlp\.fc2\.', r'layers.\1.ffn.layers.1.'),
    (r'^blocks\.(\d+)\.mlp\.(w12|w3)\.', r'layers.\1.ffn.\2.'),  # DINOv2 ViT-g's SwiGLU feed-forward
    (r'^blocks\.(\d+)\.ls1\.gamma$', r'layers.\1.attn.gamma1.weight'),
    (r'^blocks\.(\d+)\.ls2\.gamma$', r'layers.\1.ffn.gamma2.weight'),
    (r'^norm\.', 'ln1.'),
)
_COMPILED = tuple((re.compile(pattern), replacement) for pattern, replacement in TIMM_TO_MMPRETRAIN)


def timm_vit_to_mmpretrain(state_dict: dict[str, Any]) -> dict[str, Any]:
    """Rename timm-style ViT keys to mmpretrain ``VisionTransformer`` keys.

    ``cls_token``, ``pos_embed`` and ``register_tokens`` keep their names; keys no rule knows (``head.*``, MAE's
    ``decoder_*``, DINOv2's ``mask_token``) pass through unchanged and are later reported as unexpected.
    """
    converted = {}
    for key, value in state_dict.items():
        for pattern, replacement in _COMPILED:
            new_key, count = pattern.subn(replacement, key)
            if count:
                key = new_key
                break
        converted[key] = value
    return converted


def strip_prefixes(state_dict: dict[str, Any], prefixes: Iterable[str]) -> dict[str, Any]:
    """Remove wrapper prefixes (``module.`` from DistributedDataParallel, ``net.`` ...) from the start of every key,
    repeatedly and in any order, so ``module.net.blocks.0`` becomes ``blocks.0``."""
    prefixes = tuple(prefixes)
    stripped = {}
    for key, value in state_dict.items():
        while key.startswith(prefixes):
            key = key[len(next(p for p in prefixes if key.startswith(p))):]
        stripped[key] = value
    return stripped


def unwrap_state_dict(ckpt: dict, source: str, keys: Sequence[str] = ('state_dict', 'model')) -> dict[str, Any]:
    """The weights inside a checkpoint: ``ckpt[key]`` for the first of ``keys`` that holds a dict, else ``ckpt``.

    Raises :class:`CheckpointError` naming ``source`` when the result holds no tensor at all.
    """
    import torch

    weights = next((ckpt[key] for key in keys if isinstance(ckpt.get(key), dict)), ckpt)
    if not any(isinstance(value, torch.Tensor) for value in weights.values()):
        raise CheckpointError(f'{source} holds no tensors under {list(keys)} nor at the top level; '
                              f'top-level keys: {sorted(map(str, ckpt))[:10]}')
    return weights
