"""MAEFeatures (cuts3d/features/mae.py): the release's {'model': ...} layout and MAE's position interpolation."""
import numpy as np
import pytest
import torch

from cuts3d.features import MAEFeatures


def test_official_layout_loads_ignores_the_decoder_and_matches_mae(tmp_path, tiny_arch, official_vit_weights,
                                                                   reference_vit_keys, odd_image):
    weights = official_vit_weights(tiny_arch, 16, pos_grid=3)
    decoder = {'mask_token': torch.zeros(1, 1, 16), 'decoder_embed.weight': torch.zeros(16, 32),
               'decoder_blocks.0.norm1.weight': torch.ones(16), 'decoder_pred.weight': torch.zeros(768, 16)}
    path = tmp_path / 'mae_visualize.pth'
    torch.save({'model': {**weights, **decoder}}, path)
    extractor = MAEFeatures(arch=tiny_arch, checkpoint=str(path), input_size=(80, 48))
    assert extractor.load_result.missing_keys == []
    assert sorted(extractor.load_result.unexpected_keys) == sorted(decoder)
    out = extractor(odd_image)
    assert out.feats.shape == (tiny_arch['embed_dims'], 5, 3) and out.feats.dtype == np.float32
    with torch.inference_mode():
        expected = reference_vit_keys(weights, extractor.to_tensor(extractor.resize(odd_image)), 16,
                                      tiny_arch['num_heads'], pos_offset=None)
    np.testing.assert_allclose(out.feats, expected.numpy(), rtol=1e-4, atol=1e-4)


def test_patch_16_only_and_base_shape(odd_image):
    with pytest.raises(ValueError, match='no arch'):
        MAEFeatures(arch='vit_small')
    extractor = MAEFeatures(arch='vit_base', input_size=(32, 48), pretrained=False)
    assert extractor(odd_image).feats.shape == (768, 2, 3)
