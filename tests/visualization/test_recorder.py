"""The stage recorder on a real MaskCutGenerator (CutS3D components, colour features): it records every stage
and leaves the generator's output unchanged."""
import numpy as np
import pytest

from cuts3d.datasets.synthetic import generate_scene
from cuts3d.registry import PSEUDO_MASK_GENERATORS, build_component
from cuts3d.visualization import StageRecorder

SIZE = 96


class SceneDepth:
    """Depth source that returns the synthetic scene's ground-truth depth."""

    def __init__(self, depth):
        self.depth = depth

    def __call__(self, image, meta):
        return self.depth


def cuts3d_generator(depth, modifiers=({'type': 'SpatialImportance'},)):
    return build_component(dict(
        type='MaskCutGenerator',
        feature_extractor=dict(type='PatchColorFeatures', patch_size=8, input_size=(SIZE, SIZE)),
        depth_source=SceneDepth(depth),
        cutter=dict(type='NCutCutter', affinity_modifiers=list(modifiers)),
        partitioner=dict(type='LocalCut'), confidence=dict(type='SpatialConfidence'),
        refiner=dict(type='Identity'), num_cuts=3, stop_on_rest=True), PSEUDO_MASK_GENERATORS)


@pytest.fixture(scope='module')
def scene():
    return generate_scene(0, seed=0, size=SIZE)


def test_the_result_is_the_untapped_generators(scene):
    plain = cuts3d_generator(scene.depth, modifiers=())(scene.image, {})
    record = StageRecorder(cuts3d_generator(scene.depth, modifiers=())).run(scene.image, {})
    assert len(record.instances) == len(plain) >= 1
    for tapped, untapped in zip(record.instances, plain):
        np.testing.assert_array_equal(tapped.mask, untapped.mask)
        np.testing.assert_array_equal(tapped.confidence, untapped.confidence)


def test_records_every_stage(scene):
    record = StageRecorder(cuts3d_generator(scene.depth)).run(scene.image, {})
    np.testing.assert_array_equal(record.depth, scene.depth)
    assert record.context.grid == (12, 12) and record.context.depth.shape == (12, 12)
    assert record.cuts and [c.index for c in record.cuts] == list(range(len(record.cuts)))
    first = record.cuts[0]
    assert not first.claimed.any()
    assert first.partition.dtype == bool and first.partition.shape == (12, 12)
    assert first.extras['spatial_importance'].shape == (12, 12)
    kept = [c for c in record.cuts if c.confidence is not None]
    assert len(kept) >= len(record.instances) >= 1
    assert {i.provenance['cut_index'] for i in record.instances} <= {c.index for c in kept}


def test_each_run_starts_a_fresh_record(scene):
    recorder = StageRecorder(cuts3d_generator(scene.depth, modifiers=()))
    first = recorder.run(scene.image, {})
    second = recorder.run(scene.image, {})
    assert first is not second and len(first.cuts) == len(second.cuts)


def test_a_generator_without_components_is_refused():
    with pytest.raises(TypeError, match='needs a generator'):
        StageRecorder(lambda image, meta: [])
