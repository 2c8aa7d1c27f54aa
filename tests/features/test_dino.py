"""DINOFeatures (cuts3d/features/dino.py) against DINO's own forward, on tiny official-layout checkpoints."""
import numpy as np
import pytest
import torch

from cuts3d.features import DINOFeatures
from cuts3d.registry import FEATURE_EXTRACTORS, build_component
from cuts3d.weights import CheckpointError


@pytest.mark.parametrize('patch_size, input_size', [(8, (40, 56)), (16, (48, 32))])
def test_official_layout_loads_completely_and_matches_dino(tmp_path, tiny_arch, official_vit_weights,
                                                           reference_vit_keys, odd_image, patch_size, input_size):
    weights = official_vit_weights(tiny_arch, patch_size, pos_grid=3)  # trained grid 3 x 3, as 224 px is 28 x 28
    path = tmp_path / 'dino_tiny_pretrain.pth'
    torch.save(weights, path)
    extractor = DINOFeatures(arch=tiny_arch, patch_size=patch_size, checkpoint=str(path), input_size=input_size)
    assert extractor.load_result.missing_keys == [] and extractor.load_result.unexpected_keys == []

    out = extractor(odd_image)
    grid = (input_size[0] // patch_size, input_size[1] // patch_size)
    assert out.feats.shape == (tiny_arch['embed_dims'], *grid) and out.feats.dtype == np.float32
    assert out.patch_size == patch_size and out.input_size == input_size
    with torch.inference_mode():
        expected = reference_vit_keys(weights, extractor.to_tensor(extractor.resize(odd_image)), patch_size,
                                      tiny_arch['num_heads'], pos_offset=0.1)
    np.testing.assert_allclose(out.feats, expected.numpy(), rtol=1e-4, atol=1e-4)


def test_builds_from_config_with_explicit_random_weights(tiny_arch):
    cfg = dict(type='DINOFeatures', arch=tiny_arch, input_size=(16, 16), pretrained=False)
    extractor = build_component(cfg, FEATURE_EXTRACTORS)
    assert isinstance(extractor, DINOFeatures) and extractor.patch_size == 8 and not extractor.pretrained


@pytest.mark.parametrize('arch,patch_size,file_name', [
    ('vit_base', 8, 'dino_vitbase8_pretrain/dino_vitbase8_pretrain.pth'),
    ('vit_small', 8, 'dino_deitsmall8_pretrain/dino_deitsmall8_pretrain.pth'),
    ('vit_small', 16, 'dino_deitsmall16_pretrain/dino_deitsmall16_pretrain.pth'),
    ('vit_base', 16, 'dino_vitbase16_pretrain/dino_vitbase16_pretrain.pth')])
def test_pretrained_without_checkpoint_is_an_error_naming_the_url(arch, patch_size, file_name):
    with pytest.raises(CheckpointError) as error:
        DINOFeatures(arch=arch, patch_size=patch_size, input_size=(16, 16))
    assert f"'https://dl.fbaipublicfiles.com/dino/{file_name}'" in str(error.value)
    assert '\n' not in str(error.value) and 'pretrained=False' in str(error.value)


def test_random_weights_and_a_checkpoint_contradict(tiny_arch):
    with pytest.raises(ValueError, match='contradicts'):
        DINOFeatures(arch=tiny_arch, checkpoint='x.pth', pretrained=False, input_size=(16, 16))


def test_vit_small_8_shape_on_an_odd_image(odd_image):
    extractor = DINOFeatures(arch='vit_small', patch_size=8, input_size=(48, 64), pretrained=False)
    assert extractor(odd_image).feats.shape == (384, 6, 8)


def test_full_size_vit_small_8_release_layout_loads_completely(tmp_path, official_vit_weights):
    """The exact tensor shapes of dino_deitsmall8_pretrain.pth (pos_embed for 224 px: 1 + 28 * 28)."""
    weights = official_vit_weights(dict(embed_dims=384, num_layers=12, num_heads=6, feedforward_channels=1536), 8,
                                   pos_grid=28)
    path = tmp_path / 'dino_deitsmall8_pretrain.pth'
    torch.save(weights, path)
    extractor = DINOFeatures(arch='vit_small', patch_size=8, checkpoint=str(path), input_size=(64, 48))
    assert extractor.load_result.missing_keys == [] and extractor.load_result.unexpected_keys == []
    assert extractor.backbone.pos_embed.shape == (1, 1 + 8 * 6, 384)
    assert torch.equal(extractor.backbone.layers[11].attn.qkv.weight, weights['blocks.11.attn.qkv.weight'])


def test_mae_or_dinov2_sizes_are_not_dino():
    with pytest.raises(ValueError, match='no arch'):
        DINOFeatures(arch='vit_large')
    with pytest.raises(ValueError, match='no patch size'):
        DINOFeatures(arch='vit_small', patch_size=14)


def test_one_batched_forward_gives_the_single_image_keys_bit_for_bit(tiny_arch, odd_image):
    torch.manual_seed(0)
    extractor = DINOFeatures(arch=tiny_arch, patch_size=8, input_size=(40, 56), pretrained=False)
    images = [odd_image, odd_image[::-1].copy(), odd_image[:, ::-1].copy()]
    for one, image in zip(extractor.batch(images), images):
        np.testing.assert_array_equal(one.feats, extractor(image).feats)
