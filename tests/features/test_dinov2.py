"""DINOv2Features (cuts3d/features/dinov2.py): layer scale, register tokens, patch 14."""
import inspect

import numpy as np
import pytest
import torch
from mmpretrain.models import backbones as mmpretrain_backbones
from mmpretrain.models.backbones import VisionTransformer

from cuts3d.features import DINOv2Features
from cuts3d.weights import CheckpointError


@pytest.mark.parametrize('registers', [0, 4])
def test_official_layout_loads_completely_and_matches_dinov2(tmp_path, tiny_arch, official_vit_weights,
                                                             reference_vit_keys, odd_image, registers):
    weights = official_vit_weights(tiny_arch, 14, pos_grid=3, layer_scale=True, registers=registers)
    path = tmp_path / 'dinov2_tiny.pth'
    torch.save({**weights, 'mask_token': torch.zeros(1, tiny_arch['embed_dims'])}, path)
    extractor = DINOv2Features(arch=tiny_arch, checkpoint=str(path), input_size=(56, 42))
    assert extractor.load_result.missing_keys == []
    assert extractor.load_result.unexpected_keys == ['mask_token']
    assert extractor.register_tokens.shape == (1, registers, tiny_arch['embed_dims'])
    out = extractor(odd_image)
    assert out.feats.shape == (tiny_arch['embed_dims'], 4, 3) and out.feats.dtype == np.float32
    with torch.inference_mode():
        expected = reference_vit_keys(weights, extractor.to_tensor(extractor.resize(odd_image)), 14,
                                      tiny_arch['num_heads'], pos_offset=0.1)
    np.testing.assert_allclose(out.feats, expected.numpy(), rtol=1e-4, atol=1e-4)


def test_giant_swiglu_layout_loads_completely_and_matches_dinov2(tmp_path, tiny_arch, official_vit_weights,
                                                                 reference_vit_keys, odd_image):
    weights = official_vit_weights(tiny_arch, 14, pos_grid=3, layer_scale=True, registers=4, swiglu=True)
    path = tmp_path / 'dinov2_vitg14_reg4_tiny.pth'
    torch.save(weights, path)
    extractor = DINOv2Features(arch=tiny_arch, checkpoint=str(path), input_size=(42, 56), ffn_type='swiglu_fused')
    assert extractor.load_result.missing_keys == [] and extractor.load_result.unexpected_keys == []
    with torch.inference_mode():
        expected = reference_vit_keys(weights, extractor.to_tensor(extractor.resize(odd_image)), 14,
                                      tiny_arch['num_heads'], pos_offset=0.1)
    np.testing.assert_allclose(extractor(odd_image).feats, expected.numpy(), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize('arch,registers,file_name', [
    ('vit_small', None, 'dinov2_vits14/dinov2_vits14_pretrain.pth'),
    ('vit_large', 4, 'dinov2_vitl14/dinov2_vitl14_reg4_pretrain.pth'),
    ('vit_giant', 0, 'dinov2_vitg14/dinov2_vitg14_pretrain.pth')])
def test_pretrained_without_checkpoint_names_the_release(arch, registers, file_name):
    with pytest.raises(CheckpointError, match=f'https://dl.fbaipublicfiles.com/dinov2/{file_name}'):
        DINOv2Features(arch=arch, input_size=(28, 28), num_register_tokens=registers)


def test_giant_is_mmpretrains_dinov2_giant_with_swiglu(monkeypatch):
    """ViT-g (1.1 B parameters) is not built here: the arguments it would be built with are checked."""
    built = {}

    class Recorded(Exception):
        pass

    def record(**kwargs):
        built.update(kwargs)
        raise Recorded

    monkeypatch.setattr(mmpretrain_backbones, 'VisionTransformer', record)  # vit_keys imports it when building
    with pytest.raises(Recorded):
        DINOv2Features(arch='vit_giant', input_size=(14, 14), pretrained=False)
    assert built['arch'] == 'dinov2-giant' and built['layer_cfgs'] == dict(ffn_type='swiglu_fused')
    assert VisionTransformer.arch_zoo['dinov2-giant'] == dict(embed_dims=1536, num_layers=40, num_heads=24,
                                                              feedforward_channels=6144)


def test_register_count_must_match_the_checkpoint(tmp_path, tiny_arch, official_vit_weights):
    path = tmp_path / 'dinov2_reg4.pth'
    torch.save(official_vit_weights(tiny_arch, 14, pos_grid=2, layer_scale=True, registers=4), path)
    with pytest.raises(CheckpointError, match='4 register tokens'):
        DINOv2Features(arch=tiny_arch, checkpoint=str(path), input_size=(28, 28), num_register_tokens=0)


def test_configured_registers_absent_from_the_checkpoint_are_missing(tmp_path, tiny_arch, official_vit_weights):
    path = tmp_path / 'dinov2_noreg.pth'
    torch.save(official_vit_weights(tiny_arch, 14, pos_grid=2, layer_scale=True), path)
    extractor = DINOv2Features(arch=tiny_arch, checkpoint=str(path), input_size=(28, 28), num_register_tokens=4)
    assert extractor.load_result.missing_keys == ['register_tokens']


def test_default_input_is_476_and_must_be_a_multiple_of_14():
    assert inspect.signature(DINOv2Features).parameters['input_size'].default == (476, 476)
    with pytest.raises(ValueError, match='multiple of the patch size 14'):
        DINOv2Features(arch='vit_small', input_size=(480, 480))


def test_vit_small_shape_on_an_odd_image(odd_image):
    extractor = DINOv2Features(arch='vit_small', input_size=(42, 70), pretrained=False)
    assert extractor(odd_image).feats.shape == (384, 3, 5)
