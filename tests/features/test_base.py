"""The shared preprocessing and output contract of cuts3d/features/base.py."""
import numpy as np
import pytest
import torch
from PIL import Image

from cuts3d.features.base import IMAGENET_MEAN, IMAGENET_STD, PatchFeatureExtractor, check_input_size
from cuts3d.structures import PatchFeatures


class MeanColour(PatchFeatureExtractor):
    """Per-patch mean of the normalised image: enough to exercise the base class."""

    patch_size = 4

    def extract(self, resized):
        x = self.to_tensor(resized)[0]
        return torch.nn.functional.avg_pool2d(x, self.patch_size)


class WrongGrid(MeanColour):
    def extract(self, resized):
        return np.zeros((3, 1, 1), dtype=np.float32)


def test_call_returns_patch_features_on_the_grid_of_input_size(odd_image):
    out = MeanColour(input_size=(16, 24))(odd_image)
    assert isinstance(out, PatchFeatures)
    assert out.feats.dtype == np.float32 and out.feats.shape == (3, 4, 6)
    assert out.grid == (4, 6) and out.patch_size == 4 and out.input_size == (16, 24)


def test_resize_is_pil_lanczos_without_keeping_aspect(odd_image):
    resized = MeanColour(input_size=(16, 24)).resize(odd_image)
    expected = np.asarray(Image.fromarray(odd_image).resize((24, 16), Image.Resampling.LANCZOS))
    assert resized.shape == (16, 24, 3)
    np.testing.assert_array_equal(resized, expected)


def test_to_tensor_applies_imagenet_normalisation():
    image = np.full((8, 8, 3), 200, dtype=np.uint8)
    tensor = MeanColour(input_size=(8, 8)).to_tensor(image)
    assert tensor.shape == (1, 3, 8, 8) and tensor.dtype == torch.float32
    expected = (200 / 255 - np.array(IMAGENET_MEAN) / 255) / (np.array(IMAGENET_STD) / 255)
    np.testing.assert_allclose(tensor[0, :, 0, 0].numpy(), expected, rtol=1e-5)


@pytest.mark.parametrize('size', [(15, 16), (16, 0), (16,), (16.0, 16)])
def test_input_size_must_be_positive_multiples_of_the_patch(size):
    with pytest.raises(ValueError, match='input_size'):
        check_input_size(size, 4)


@pytest.mark.parametrize('image, error', [
    (np.zeros((8, 8), np.uint8), ValueError),
    (np.zeros((8, 8, 4), np.uint8), ValueError),
    (np.zeros((8, 8, 3), np.float32), ValueError),
    (np.zeros((0, 8, 3), np.uint8), ValueError),
    (torch.zeros(8, 8, 3, dtype=torch.uint8), TypeError),
])
def test_bad_images_are_refused(image, error):
    with pytest.raises(error):
        MeanColour(input_size=(8, 8))(image)


def test_a_subclass_returning_the_wrong_grid_is_caught(odd_image):
    with pytest.raises(RuntimeError, match='expected C x 2 x 2'):
        WrongGrid(input_size=(8, 8))(odd_image)


def test_batch_gives_each_image_its_single_image_features(odd_image):
    extractor = MeanColour(input_size=(16, 24))
    images = [odd_image, odd_image[::-1].copy(), extractor.resize(odd_image[:, ::-1].copy())]
    batch = extractor.batch(images)
    assert len(batch) == 3 and extractor.batch([]) == []
    for one, image in zip(batch, images):
        np.testing.assert_array_equal(one.feats, extractor(image).feats)
        assert one.input_size == (16, 24) and one.patch_size == 4


def test_batch_refuses_a_bad_image_and_checks_the_grid(odd_image):
    with pytest.raises(ValueError):
        MeanColour(input_size=(8, 8)).batch([odd_image, np.zeros((8, 8), np.uint8)])
    with pytest.raises(RuntimeError, match='expected C x 2 x 2'):
        WrongGrid(input_size=(8, 8)).batch([odd_image])
