"""The shared ViT key extraction and checkpoint loading of cuts3d/features/vit_keys.py."""
import argparse

import numpy as np
import pytest
import torch

from cuts3d.weights import CheckpointError
from cuts3d.features import ViTKeyExtractor


def random_vit(arch, **kwargs):
    torch.manual_seed(0)
    return ViTKeyExtractor(arch, 8, pretrained=False, **kwargs)


def test_keys_equal_the_k_third_of_the_hooked_last_qkv(tiny_arch, odd_image):
    extractor = random_vit(tiny_arch, input_size=(32, 48))
    hooked = {}
    vit = extractor.backbone
    handle = vit.layers[-1].attn.qkv.register_forward_hook(lambda m, i, o: hooked.update(qkv=o))
    with torch.inference_mode():
        vit(extractor.to_tensor(extractor.resize(odd_image)))  # mmpretrain's own forward
    handle.remove()
    qkv = hooked['qkv']  # B x N x 3C; split as CutLER's ViTFeat does
    tokens, heads, dims = qkv.shape[1], tiny_arch['num_heads'], tiny_arch['embed_dims']
    k = qkv.reshape(1, tokens, 3, heads, -1).permute(2, 0, 3, 1, 4)[1]
    k = k.transpose(1, 2).reshape(1, tokens, -1)
    expected = k[:, 1:].transpose(1, 2).reshape(dims, 4, 6)
    feats = extractor(odd_image).feats
    assert feats.shape == (dims, 4, 6) and feats.dtype == np.float32
    np.testing.assert_allclose(feats, expected.numpy(), rtol=1e-5, atol=1e-5)


def test_random_weights_only_when_asked_and_leave_no_load_result(tiny_arch):
    with pytest.raises(CheckpointError, match='needs pretrained weights.*pretrained=False'):
        ViTKeyExtractor(tiny_arch, 8, input_size=(16, 16))
    extractor = ViTKeyExtractor(tiny_arch, 8, input_size=(16, 16), pretrained=False)
    assert extractor.load_result is None and not extractor.pretrained


@pytest.mark.parametrize('kwargs, match', [
    (dict(arch='vit_huge', patch_size=8), 'no arch'),
    (dict(arch='vit_small', patch_size=32), 'no patch size'),
])
def test_unknown_arch_or_patch_size(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ViTKeyExtractor(**kwargs)


def test_missing_and_unexpected_keys_are_reported(tmp_path, tiny_arch, official_vit_weights):
    weights = official_vit_weights(tiny_arch, 8, pos_grid=2)
    del weights['blocks.1.mlp.fc2.bias']
    weights['head.weight'] = torch.zeros(3, 3)
    path = tmp_path / 'partial.pth'
    torch.save(weights, path)
    result = ViTKeyExtractor(tiny_arch, 8, checkpoint=str(path), input_size=(16, 16)).load_result
    assert result.missing_keys == ['layers.1.ffn.layers.1.bias']
    assert result.unexpected_keys == ['head.weight']


def test_a_checkpoint_matching_nothing_is_refused(tmp_path, tiny_arch):
    path = tmp_path / 'other.pth'
    torch.save({'conv1.weight': torch.zeros(3)}, path)
    with pytest.raises(CheckpointError, match='no weight'):
        ViTKeyExtractor(tiny_arch, 8, checkpoint=str(path), input_size=(16, 16))


def test_a_checkpoint_of_another_width_is_refused(tmp_path, tiny_arch, official_vit_weights):
    path = tmp_path / 'wider.pth'
    torch.save(official_vit_weights(dict(tiny_arch, embed_dims=48), 8, pos_grid=2), path)
    with pytest.raises(CheckpointError, match='does not fit'):
        ViTKeyExtractor(tiny_arch, 8, checkpoint=str(path), input_size=(16, 16))


def test_a_checkpoint_with_pickled_objects_is_refused(tmp_path, tiny_arch, official_vit_weights):
    path = tmp_path / 'with_args.pth'
    torch.save({**official_vit_weights(tiny_arch, 8, pos_grid=2), 'args': argparse.Namespace(lr=1)}, path)
    with pytest.raises(CheckpointError, match='pickled'):
        ViTKeyExtractor(tiny_arch, 8, checkpoint=str(path), input_size=(16, 16))
