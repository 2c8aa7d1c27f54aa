"""Key renaming, prefix stripping and position-embedding resizing of cuts3d/features/vit_checkpoint.py."""
import pytest
import torch
from mmpretrain.models.backbones import VisionTransformer
from mmpretrain.models.utils import resize_pos_embed

from cuts3d.engine.checkpoint import CheckpointError
from cuts3d.features.vit_checkpoint import (interpolate_pos_embed, strip_prefixes, timm_vit_to_mmpretrain,
                                            unwrap_state_dict)


def dino_vit_keys():
    """Every key of the official dino_deitsmall8_300ep_pretrain.pth / dino_vitbase8_pretrain.pth (12 blocks)."""
    keys = ['cls_token', 'pos_embed', 'patch_embed.proj.weight', 'patch_embed.proj.bias', 'norm.weight', 'norm.bias']
    for i in range(12):
        for name in ('norm1', 'attn.qkv', 'attn.proj', 'norm2', 'mlp.fc1', 'mlp.fc2'):
            keys += [f'blocks.{i}.{name}.weight', f'blocks.{i}.{name}.bias']
    return keys


@pytest.mark.parametrize('mmpretrain_arch', ['deit-small', 'base'])
def test_dino_keys_map_one_to_one_onto_mmpretrain(mmpretrain_arch):
    converted = timm_vit_to_mmpretrain(dict.fromkeys(dino_vit_keys()))
    model_keys = set(VisionTransformer(arch=mmpretrain_arch, patch_size=8).state_dict())
    assert set(converted) == model_keys


def test_dinov2_layer_scale_and_unknown_keys():
    converted = timm_vit_to_mmpretrain(dict.fromkeys(
        ['blocks.3.ls1.gamma', 'blocks.3.ls2.gamma', 'mask_token', 'register_tokens', 'decoder_blocks.0.norm1.weight',
         'head.weight']))
    assert set(converted) == {'layers.3.attn.gamma1.weight', 'layers.3.ffn.gamma2.weight', 'mask_token',
                              'register_tokens', 'decoder_blocks.0.norm1.weight', 'head.weight'}


def test_strip_prefixes_removes_nested_wrappers_in_any_order():
    weights = {'module.net.blocks.0.norm1.weight': 1, 'net.module.cls_token': 2, 'pos_embed': 3,
               'blocks.1.net.x': 4}
    assert strip_prefixes(weights, ('module.', 'net.')) == {
        'blocks.0.norm1.weight': 1, 'cls_token': 2, 'pos_embed': 3, 'blocks.1.net.x': 4}


def test_unwrap_state_dict_takes_the_nested_weights_or_the_flat_file():
    flat = {'cls_token': torch.zeros(1)}
    assert unwrap_state_dict({'model': flat, 'epoch': 3}, 'model', 'f') is flat
    assert unwrap_state_dict(flat, 'model', 'f') is flat
    with pytest.raises(CheckpointError, match='no tensors'):
        unwrap_state_dict({'model': {'epoch': 1}}, 'model', 'f')


def test_pos_embed_unchanged_when_the_grid_matches():
    pos = torch.randn(1, 1 + 16, 8)
    assert interpolate_pos_embed(pos, (4, 4)) is pos


@pytest.mark.parametrize('grid', [(6, 6), (3, 7), (60, 60)])
def test_pos_embed_without_offset_equals_mmpretrain_resize(grid):
    pos = torch.randn(1, 1 + 28 * 28, 8)
    ours = interpolate_pos_embed(pos, grid, offset=None)
    assert torch.allclose(ours, resize_pos_embed(pos, (28, 28), grid, mode='bicubic'), atol=1e-6)


def test_dino_offset_changes_sampling_slightly_but_keeps_cls():
    rows, cols = torch.meshgrid(torch.linspace(0, 3, 28), torch.linspace(0, 3, 28), indexing='ij')
    smooth = torch.stack([torch.sin(rows * (c + 1)) * torch.cos(cols) for c in range(8)], dim=-1)
    pos = torch.cat([torch.ones(1, 1, 8), smooth.reshape(1, -1, 8)], dim=1)  # smooth, like trained embeddings
    dino = interpolate_pos_embed(pos, (60, 45), offset=0.1)
    by_size = interpolate_pos_embed(pos, (60, 45), offset=None)
    assert dino.shape == (1, 1 + 60 * 45, 8)
    assert torch.equal(dino[:, 0], pos[:, 0])
    assert 0 < (dino - by_size).abs().max().item() < 0.1


def test_non_square_checkpoint_grid_is_refused():
    with pytest.raises(CheckpointError, match='square'):
        interpolate_pos_embed(torch.zeros(1, 1 + 12, 4), (4, 4))
