import numpy as np
import pytest
from synthetic_depth_scenes import touching_pair

from cuts3d.cutting.connected_component import ConnectedComponent2D
from cuts3d.cutting.local_cut import LocalCut
from cuts3d.cutting.spatial_confidence import SpatialConfidence, spatial_confidence
from cuts3d.registry import CONFIDENCE_ESTIMATORS, build_component
from cuts3d.structures import Cut, CutContext


def _ramp_scene():
    """A flat block (depth 0.3) continued by a steep ramp (+0.075 per patch column): the ramp joins the instance
    only for tau_knn above its step length (about 0.082), so the cuts differ across thresholds."""
    h = w = 30
    bipartition = np.zeros((h, w), bool)
    bipartition[5:25, 5:25] = True
    depth = np.full((h, w), 0.9, np.float32)
    depth[5:25, 5:19] = 0.3
    depth[5:25, 19:25] = 0.3 + 0.075 * np.arange(1, 7)
    v = np.where(bipartition, 0.9, -0.5).astype(np.float32)
    v[5:25, 5:19] = np.linspace(1.0, 0.2, 14)
    context = CutContext(image=np.zeros((240, 240, 3), np.uint8), grid=(h, w), depth=depth)
    return Cut(bipartition, v, int(np.argmax(v))), context


def test_eq4_is_the_mean_of_the_binary_cuts():
    cuts = np.zeros((4, 2, 2), bool)
    cuts[:3, 0, 0] = cuts[:, 1, 1] = True
    np.testing.assert_allclose(spatial_confidence(cuts), [[0.75, 0], [0, 1]])
    with pytest.raises(ValueError, match='T x h x w'):
        spatial_confidence(np.zeros((0, 2, 2), bool))


@pytest.mark.parametrize('floor', [0.0, 0.5, 0.67])
def test_confidence_is_the_floored_mean_of_localcuts_by_hand(floor):
    cut, context = _ramp_scene()
    partitioner = LocalCut()
    instance = partitioner(cut, context)
    estimator = SpatialConfidence(num_cuts=6, tau_min_ratio=0.5, floor=floor, partitioner=partitioner)
    confidence = estimator(cut, instance, context)
    taus = np.linspace(0.5 * 0.115, 0.115, 6)
    np.testing.assert_allclose(estimator.thresholds, taus)
    by_hand = np.mean([partitioner.cut_at(cut, context, tau) for tau in taus], axis=0)
    assert 0 < by_hand[instance].min() < 1          # the ramp makes the cuts differ
    expected = np.where(instance, np.maximum(by_hand, floor), 0)
    assert confidence.dtype == np.float32
    np.testing.assert_allclose(confidence, expected, atol=1e-6)
    assert confidence[instance].min() >= floor and not confidence[~instance].any()


def test_ramp_confidence_values():
    cut, context = _ramp_scene()
    partitioner = LocalCut()
    confidence = SpatialConfidence(floor=0.0, partitioner=partitioner)(cut, partitioner(cut, context), context)
    assert np.all(confidence[5:25, 5:19] == 1)        # the flat block is in every cut
    assert np.allclose(confidence[5:25, 19:25], 0.5)   # the ramp only for tau in {0.092, 0.1035, 0.115}


def test_well_separated_objects_are_fully_confident():
    scene = touching_pair(grid=40, gap=0.3)
    partitioner, context = LocalCut(), scene.context()
    instance = partitioner(scene.cut, context)
    confidence = SpatialConfidence(floor=0.0, partitioner=partitioner)(scene.cut, instance, context)
    np.testing.assert_array_equal(confidence, instance.astype(np.float32))


def test_single_cut_uses_tau_knn():
    assert SpatialConfidence(num_cuts=1, partitioner=LocalCut(tau_knn=0.1)).thresholds.tolist() == [0.1]


def test_needs_a_localcut_partitioner():
    with pytest.raises(TypeError, match='LocalCut'):
        SpatialConfidence()
    with pytest.raises(TypeError, match='ConnectedComponent2D'):
        SpatialConfidence(partitioner=ConnectedComponent2D())


def test_bad_config_and_input():
    for bad in (dict(num_cuts=0), dict(tau_min_ratio=0), dict(tau_min_ratio=1.5), dict(floor=-0.1)):
        with pytest.raises(ValueError):
            SpatialConfidence(partitioner=LocalCut(), **bad)
    cut, context = _ramp_scene()
    with pytest.raises(ValueError, match='patch grid'):
        SpatialConfidence(partitioner=LocalCut())(cut, np.ones((5, 5), bool), context)


def test_built_with_the_generator_partitioner_injected():
    partitioner = LocalCut(tau_knn=0.1)
    estimator = build_component(dict(type='SpatialConfidence', num_cuts=3), CONFIDENCE_ESTIMATORS,
                                partitioner=partitioner)
    assert estimator.partitioner is partitioner
    np.testing.assert_allclose(estimator.thresholds, [0.05, 0.075, 0.1])
