"""DiffNCutsFeatures (cuts3d/features/diffncuts.py): the release's training-dict layout with module./net. prefixes."""
import argparse

import numpy as np
import pytest
import torch

from cuts3d.weights import CheckpointError
from cuts3d.features import DiffNCutsFeatures


def training_dict(weights, prefix):
    return {'model': {prefix + key: value for key, value in weights.items()},
            'optimizer': {'state': {}, 'param_groups': [{'lr': 1e-5, 'params': [0, 1]}]}, 'epoch': 7}


@pytest.mark.parametrize('prefix', ['module.net.', 'net.', 'module.'])
def test_prefixed_training_dict_loads_completely_and_matches_dino(tmp_path, tiny_arch, official_vit_weights,
                                                                  reference_vit_keys, odd_image, prefix):
    weights = official_vit_weights(tiny_arch, 8, pos_grid=3)
    path = tmp_path / 'diffncuts.pth'
    torch.save(training_dict(weights, prefix), path)
    extractor = DiffNCutsFeatures(checkpoint=str(path), input_size=(40, 24), arch=tiny_arch)
    assert extractor.load_result.missing_keys == [] and extractor.load_result.unexpected_keys == []
    out = extractor(odd_image)
    assert out.feats.shape == (tiny_arch['embed_dims'], 5, 3) and out.feats.dtype == np.float32
    with torch.inference_mode():
        expected = reference_vit_keys(weights, extractor.to_tensor(extractor.resize(odd_image)), 8,
                                      tiny_arch['num_heads'])
    np.testing.assert_allclose(out.feats, expected.numpy(), rtol=1e-4, atol=1e-4)


def test_a_training_dict_with_pickled_objects_is_refused(tmp_path, tiny_arch, official_vit_weights):
    ckpt = training_dict(official_vit_weights(tiny_arch, 8, pos_grid=2), 'module.net.')
    ckpt['args'] = argparse.Namespace(arch='vit_small')
    path = tmp_path / 'diffncuts_with_args.pth'
    torch.save(ckpt, path)
    with pytest.raises(CheckpointError, match='pickled'):
        DiffNCutsFeatures(checkpoint=str(path), input_size=(16, 16), arch=tiny_arch)


def test_missing_file_is_a_checkpoint_error(tmp_path, tiny_arch):
    with pytest.raises(CheckpointError, match='not found'):
        DiffNCutsFeatures(checkpoint=str(tmp_path / 'absent.pth'), input_size=(16, 16), arch=tiny_arch)


def test_default_is_vit_small_8(odd_image):
    extractor = DiffNCutsFeatures(input_size=(24, 40), pretrained=False)
    assert extractor.patch_size == 8
    assert extractor(odd_image).feats.shape == (384, 3, 5)
