"""Load DPT weights from a local checkpoint in the official MiDaS v3 layout (or this project's own).

Supported mapping, official MiDaS v3.0/v3.1 DPT key -> :class:`~cuts3d.depth.dpt.dpt_net.DPTNet` key:

- ``pretrained.act_postprocessN.*``, ``scratch.*`` (``layerN_rn``, ``refinenetN``, ``output_conv``): unchanged.
- ``pretrained.model.patch_embed.backbone.*`` (DPT-Hybrid's ResNet-50): unchanged.
- timm ViT -> mmpretrain ViT, under ``pretrained.model.``: ``patch_embed.proj`` -> ``patch_embed.projection``;
  ``blocks.N.norm1`` -> ``layers.N.ln1``; ``blocks.N.norm2`` -> ``layers.N.ln2``; ``blocks.N.attn.qkv`` /
  ``attn.proj`` -> ``layers.N.attn.qkv`` / ``attn.proj``; ``blocks.N.mlp.fc1`` -> ``layers.N.ffn.layers.0.0``;
  ``blocks.N.mlp.fc2`` -> ``layers.N.ffn.layers.1``; ``cls_token`` and ``pos_embed`` unchanged.
- Ignored (present in official files, unused by DPT, which taps blocks before the final norm): the timm ViT's
  ``pretrained.model.norm.*`` and classifier ``pretrained.model.head.*``.

Checkpoints may be a bare state dict, ``{'state_dict': ...}`` or MiDaS's ``{'model': ..., 'optimizer': ...}``;
a ``module.`` prefix (DataParallel) is stripped. Files already in the native layout (``model.state_dict()``) load
as they are. Loading goes through :func:`cuts3d.engine.checkpoint.load_foreign_weights` (``weights_only=True``).
What this covers: ``dpt_large`` and ``dpt_hybrid`` (the released MiDaS v3.0 files) and ``dpt_base``. Not covered:
MiDaS v3.1's BEiT / Swin / LeViT / Next-ViT backbones, v2.1's ResNeXt / EfficientNet models, ZoeDepth's metric
heads.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import torch
import torch.nn as nn

from ...engine.checkpoint import CheckpointError, load_foreign_weights

logger = logging.getLogger(__name__)

_VIT = 'pretrained.model.'
#: ``(official timm name, mmpretrain name)`` prefixes under ``pretrained.model.``; ``{i}`` is a layer index.
TIMM_TO_MMPRETRAIN: tuple[tuple[str, str], ...] = (
    ('patch_embed.proj.', 'patch_embed.projection.'),
    ('blocks.{i}.norm1.', 'layers.{i}.ln1.'),
    ('blocks.{i}.norm2.', 'layers.{i}.ln2.'),
    ('blocks.{i}.attn.', 'layers.{i}.attn.'),
    ('blocks.{i}.mlp.fc1.', 'layers.{i}.ffn.layers.0.0.'),
    ('blocks.{i}.mlp.fc2.', 'layers.{i}.ffn.layers.1.'),
)
#: Official keys that DPT does not use.
IGNORED_PREFIXES: tuple[str, ...] = (_VIT + 'norm.', _VIT + 'head.')


def _rules(reverse: bool) -> list[tuple[re.Pattern, str]]:
    rules = []
    for official, native in TIMM_TO_MMPRETRAIN:
        src, dst = (native, official) if reverse else (official, native)
        pattern = '^' + re.escape(_VIT + src).replace(re.escape('{i}'), r'(\d+)')
        rules.append((re.compile(pattern), (_VIT + dst).replace('{i}', r'\1')))
    return rules


def _rename(state_dict: dict[str, torch.Tensor], reverse: bool) -> dict[str, torch.Tensor]:
    rules = _rules(reverse)
    renamed = {}
    for key, value in state_dict.items():
        for pattern, replacement in rules:
            if pattern.match(key):
                key = pattern.sub(replacement, key, count=1)
                break
        renamed[key] = value
    return renamed


def midas_to_native(state_dict: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Rename official MiDaS (timm ViT) keys to :class:`DPTNet` keys; other keys pass through."""
    return _rename(state_dict, reverse=False)


def native_to_midas(state_dict: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The inverse of :func:`midas_to_native`: save a :class:`DPTNet` in the official MiDaS key layout."""
    return _rename(state_dict, reverse=True)


def unwrap_state_dict(ckpt: dict, path: str) -> dict[str, torch.Tensor]:
    """The tensor dict inside a checkpoint (bare, ``state_dict`` or MiDaS's ``model`` entry), ``module.`` stripped."""
    for wrapper in ('state_dict', 'model'):
        if isinstance(ckpt.get(wrapper), dict):
            ckpt = ckpt[wrapper]
            break
    not_tensors = [k for k, v in ckpt.items() if not isinstance(v, torch.Tensor)]
    if not_tensors:
        raise CheckpointError(f'{path}: expected a state dict of tensors; entries {not_tensors[:5]} are not tensors')
    return {k[len('module.'):] if k.startswith('module.') else k: v for k, v in ckpt.items()}


@dataclass
class LoadReport:
    """What a checkpoint load matched: keys the model lacked values for, keys it did not use, keys ignored."""

    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def load_dpt_weights(net: nn.Module, path: str) -> LoadReport:
    """Load a local DPT checkpoint into ``net`` non-strictly and report (and log) missing / unexpected keys.

    Raises :class:`~cuts3d.engine.checkpoint.CheckpointError` when the file is unsafe or unreadable, when no key
    matches (not a DPT checkpoint, or another layout), or when shapes disagree (another ``arch``).
    """
    state_dict = midas_to_native(unwrap_state_dict(load_foreign_weights(path), path))
    ignored = sorted(k for k in state_dict if k.startswith(IGNORED_PREFIXES))
    state_dict = {k: v for k, v in state_dict.items() if not k.startswith(IGNORED_PREFIXES)}
    expected = set(net.state_dict())
    if not expected & set(state_dict):
        raise CheckpointError(f'{path}: none of its {len(state_dict)} keys (e.g. {sorted(state_dict)[:3]}) is a DPT '
                              f'key (e.g. {sorted(expected)[:3]}); see cuts3d.depth.dpt.dpt_checkpoint for the '
                              f'supported layouts')
    try:
        result = net.load_state_dict(state_dict, strict=False)
    except RuntimeError as err:
        raise CheckpointError(f'{path} does not fit this DPT architecture (check `arch`): {err}') from err
    report = LoadReport(sorted(result.missing_keys), sorted(result.unexpected_keys), ignored)
    if report.missing:
        logger.warning('%s: %d DPT parameters missing from the checkpoint (left at random init): %s',
                       path, len(report.missing), ', '.join(report.missing[:10]))
    if report.unexpected:
        logger.warning('%s: %d checkpoint keys unused by this DPT: %s',
                       path, len(report.unexpected), ', '.join(report.unexpected[:10]))
    if ignored:
        logger.info('%s: ignored %d keys DPT does not use (final ViT norm, classifier head)', path, len(ignored))
    return report
