"""The transformers depth sources (ZoeDepth, Depth Anything V2, MiDaS DPT) on tiny random models loaded by directory."""
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from cuts3d.depth import DepthAnythingV2, DPTDepth, ZoeDepth
from cuts3d.registry import DEPTH_SOURCES, build_component
from cuts3d.weights import CheckpointError

FAMILIES = ['ZoeDepth', 'DepthAnythingV2', 'DPTDepth']
RNG = np.random.default_rng(0)
IMAGES = [RNG.integers(0, 256, (37, 53, 3), dtype=np.uint8), RNG.integers(0, 256, (40, 30, 3), dtype=np.uint8),
          RNG.integers(0, 256, (37, 53, 3), dtype=np.uint8)]


@pytest.fixture(scope='module')
def sources(tiny_depth_models):
    return {name: build_component(dict(type=name, model=tiny_depth_models[name], batch_size=2), DEPTH_SOURCES)
            for name in FAMILIES}


@pytest.mark.parametrize('name', FAMILIES)
def test_batch_follows_the_contract_and_equals_one_image_at_a_time(sources, name):
    source = sources[name]
    assert source.dtype == torch.float32 and source.device.type == 'cpu'  # 'auto' on CPU
    maps = source.batch(IMAGES)
    for image, depth in zip(IMAGES, maps):
        assert depth.shape == image.shape[:2] and depth.dtype == np.float32
        known = depth[np.isfinite(depth)]
        assert known.size and known.min() >= 0 and known.max() <= 1
    raws = source.predict(IMAGES)  # stacked: images 0 and 2 share a forward pass
    for image, raw in zip(IMAGES, raws):
        np.testing.assert_allclose(source.predict([image])[0], raw, rtol=1e-4, atol=1e-6)


def _ramp_network(pixel_values=None, **_):
    """Stands in for a network: a left-to-right ramp of raw outputs (1 at the left edge, 10 at the right)."""
    batch, _, height, width = pixel_values.shape
    ramp = torch.linspace(1.0, 10.0, width).expand(batch, height, width).clone()
    return SimpleNamespace(predicted_depth=ramp)


@pytest.mark.parametrize('name, farther_on_the_right', [('ZoeDepth', True), ('DepthAnythingV2', False),
                                                         ('DPTDepth', False)])
def test_raw_outputs_are_converted_per_model(sources, name, farther_on_the_right, monkeypatch):
    """ZoeDepth's metric depth keeps its order; Depth Anything's and MiDaS's inverse depth is reversed (1 / x)."""
    source = sources[name]
    monkeypatch.setattr(source, 'model', _ramp_network)
    if name == 'ZoeDepth':
        monkeypatch.setattr(source, 'flip_augmentation', False)
    depth = source(np.zeros((40, 64, 3), dtype=np.uint8), {})
    left, right = np.nanmean(depth[:, :8]), np.nanmean(depth[:, -8:])
    assert (right > left) == farther_on_the_right
    assert source.inverse == (not farther_on_the_right)


def test_zoedepth_flip_augmentation_averages_the_mirrored_prediction(sources, monkeypatch):
    source = sources['ZoeDepth']
    monkeypatch.setattr(source, 'model', _ramp_network)
    raw = source.predict([np.zeros((40, 64, 3), dtype=np.uint8)])[0]  # (ramp + mirrored ramp) / 2 = 5.5
    np.testing.assert_allclose(raw, 5.5, rtol=1e-5)


def test_defaults_name_the_released_models():
    import inspect
    defaults = {cls.__name__: inspect.signature(cls).parameters['model'].default
                for cls in (ZoeDepth, DepthAnythingV2, DPTDepth)}
    assert defaults == {'ZoeDepth': 'Intel/zoedepth-nyu-kitti', 'DPTDepth': 'Intel/dpt-hybrid-midas',
                        'DepthAnythingV2': 'depth-anything/Depth-Anything-V2-Small-hf'}


def test_missing_local_directory_is_a_one_line_error(tmp_path):
    with pytest.raises(CheckpointError, match='model directory not found'):
        ZoeDepth(model=str(tmp_path / 'absent'))


def test_bad_settings_are_refused(tiny_depth_models):
    with pytest.raises(ValueError, match='dtype'):
        DPTDepth(model=tiny_depth_models['DPTDepth'], dtype='float8')
    with pytest.raises(ValueError, match='batch_size'):
        DPTDepth(model=tiny_depth_models['DPTDepth'], batch_size=0)
    with pytest.raises(ValueError, match='RGB uint8'):
        DPTDepth(model=tiny_depth_models['DPTDepth'])(np.zeros((8, 8, 3), dtype=np.float32), {})
