"""Release key layouts of cuts3d/weights/state_dict.py: timm -> mmpretrain ViT names, prefixes, nesting."""
import pytest
import torch
from mmpretrain.models.backbones import VisionTransformer

from cuts3d.weights import CheckpointError, strip_prefixes, timm_vit_to_mmpretrain, unwrap_state_dict


def dino_vit_keys():
    """Every key of the official dino_deitsmall8_pretrain.pth / dino_vitbase8_pretrain.pth (12 blocks)."""
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
    assert unwrap_state_dict({'model': flat, 'epoch': 3}, 'f') is flat
    assert unwrap_state_dict({'state_dict': flat, 'meta': {}}, 'f') is flat
    assert unwrap_state_dict(flat, 'f') is flat
    with pytest.raises(CheckpointError, match='no tensors'):
        unwrap_state_dict({'model': {'epoch': 1}}, 'f')


def test_dinov2_giant_swiglu_keys_map_onto_mmpretrain_swiglu_fused():
    arch = dict(embed_dims=32, num_layers=1, num_heads=4, feedforward_channels=128)
    vit = VisionTransformer(arch=arch, patch_size=14, img_size=28, layer_scale_init_value=1e-5,
                            layer_cfgs=dict(ffn_type='swiglu_fused'))
    release = ['cls_token', 'pos_embed', 'patch_embed.proj.weight', 'patch_embed.proj.bias', 'norm.weight',
               'norm.bias', 'blocks.0.ls1.gamma', 'blocks.0.ls2.gamma']
    release += [f'blocks.0.{name}.{p}' for name in ('norm1', 'attn.qkv', 'attn.proj', 'norm2', 'mlp.w12', 'mlp.w3')
                for p in ('weight', 'bias')]
    assert set(timm_vit_to_mmpretrain(dict.fromkeys(release))) == set(vit.state_dict())
