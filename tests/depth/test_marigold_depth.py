"""MarigoldDepth (diffusers) on a tiny random pipeline loaded by directory."""
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from cuts3d.depth import MarigoldDepth
from cuts3d.registry import DEPTH_SOURCES, build_component

RNG = np.random.default_rng(1)
IMAGES = [RNG.integers(0, 256, (37, 53, 3), dtype=np.uint8), RNG.integers(0, 256, (40, 30, 3), dtype=np.uint8),
          RNG.integers(0, 256, (37, 53, 3), dtype=np.uint8)]


@pytest.fixture(scope='module')
def marigold(tiny_depth_models):
    return build_component(dict(type='MarigoldDepth', model=tiny_depth_models['MarigoldDepth'], batch_size=2),
                           DEPTH_SOURCES)


def test_batch_follows_the_contract_and_does_not_depend_on_the_batch(marigold):
    maps = marigold.batch(IMAGES)
    for image, depth in zip(IMAGES, maps):
        assert depth.shape == image.shape[:2] and depth.dtype == np.float32
        known = depth[np.isfinite(depth)]
        assert known.size and known.min() >= 0 and known.max() <= 1
    np.testing.assert_allclose(marigold(IMAGES[2], {}), maps[2], atol=1e-5)  # its own seeded noise per image
    for again, depth in zip(marigold.batch(IMAGES), maps):  # a rerun gives the same maps
        np.testing.assert_array_equal(again, depth)


def test_affine_invariant_depth_keeps_its_order(marigold, monkeypatch):
    def ramp_pipeline(images, **_):
        height, width = images[0].shape[:2]
        ramp = torch.linspace(0.0, 1.0, width).expand(len(images), 1, height, width)
        return SimpleNamespace(prediction=ramp)

    monkeypatch.setattr(marigold, 'pipeline', ramp_pipeline)
    depth = marigold(np.zeros((20, 40, 3), dtype=np.uint8), {})
    assert not marigold.inverse and np.nanmean(depth[:, -5:]) > np.nanmean(depth[:, :5])


def test_ensemble_members_start_from_different_noise(tiny_depth_models):
    one = MarigoldDepth(model=tiny_depth_models['MarigoldDepth'], ensemble_size=1)(IMAGES[0], {})
    two = MarigoldDepth(model=tiny_depth_models['MarigoldDepth'], ensemble_size=2)(IMAGES[0], {})
    assert not np.allclose(one, two)
    with pytest.raises(ValueError, match='ensemble_size'):
        MarigoldDepth(model=tiny_depth_models['MarigoldDepth'], ensemble_size=0)
