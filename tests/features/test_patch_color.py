"""PatchColorFeatures (cuts3d/features/patch_color.py): same colour -> same feature, other colour -> orthogonal."""
import numpy as np
import pytest

from cuts3d.features import PatchColorFeatures
from cuts3d.registry import FEATURE_EXTRACTORS, build_component


def cosine(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.fixture
def two_red_squares_on_blue():
    """64 x 64: noisy blue background, two red objects of different shapes and a green one, patch-aligned."""
    rng = np.random.default_rng(0)
    image = np.clip(rng.normal((40, 60, 200), 6, size=(64, 64, 3)), 0, 255).astype(np.uint8)
    image[8:24, 8:24] = (210, 40, 40)
    image[40:56, 32:56] = (210, 40, 40)
    image[40:56, 0:16] = (40, 190, 60)
    return image


def test_shape_on_odd_non_square_images(odd_image):
    out = PatchColorFeatures(patch_size=8, input_size=(48, 64))(odd_image)
    assert out.feats.shape == (125, 6, 8) and out.feats.dtype == np.float32 and out.patch_size == 8
    with_position = PatchColorFeatures(patch_size=4, input_size=(20, 12), bins=3, with_position=True)(odd_image)
    assert with_position.feats.shape == (27 + 2, 5, 3)
    np.testing.assert_allclose(with_position.feats[-2:, :, 0], [[0.1, 0.3, 0.5, 0.7, 0.9], [1 / 6] * 5])


def test_same_colour_near_identical_other_colours_below_maskcut_tau(two_red_squares_on_blue):
    extractor = build_component(dict(type='PatchColorFeatures', patch_size=8, input_size=(64, 64)),
                                FEATURE_EXTRACTORS)
    feats = extractor(two_red_squares_on_blue).feats
    red_a, red_b, green, blue = feats[:, 1, 1], feats[:, 5, 5], feats[:, 5, 0], feats[:, 0, 7]
    assert cosine(red_a, red_b) > 0.999
    assert cosine(blue, feats[:, 3, 7]) > 0.95  # noisy background still groups
    for a, b in [(red_a, green), (red_a, blue), (green, blue)]:
        assert cosine(a, b) < 0.15


def test_a_patch_straddling_two_colours_lies_between_them():
    image = np.zeros((8, 16, 3), dtype=np.uint8)
    image[:, :8] = (255, 0, 0)
    image[:, 8:] = (0, 0, 255)
    image[:, 4:8] = (0, 0, 255)  # the left patch is half red, half blue
    feats = PatchColorFeatures(patch_size=8, input_size=(8, 16))(image).feats
    pure_red = PatchColorFeatures(patch_size=8, input_size=(8, 8))(np.full((8, 8, 3), (255, 0, 0), np.uint8)).feats
    mixed, blue = feats[:, 0, 0], feats[:, 0, 1]
    assert 0.5 < cosine(mixed, blue) < 0.9 and 0.5 < cosine(mixed, pure_red[:, 0, 0]) < 0.9


@pytest.mark.parametrize('kwargs', [dict(patch_size=0), dict(bins=1), dict(sigma=0.0)])
def test_bad_parameters(kwargs):
    with pytest.raises(ValueError):
        PatchColorFeatures(**kwargs)
