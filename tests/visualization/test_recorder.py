"""The stage recorder on a real MaskCutGenerator (CutS3D components, colour features): it records every stage
and leaves the generator's output unchanged."""
import numpy as np
import pytest
from colour_maskcut import SIZE, colour_maskcut_generator

from cuts3d.utils.synthetic_images import generate_scene
from cuts3d.visualization import StageRecorder


def cuts3d_generator(depth, spatial_importance=True):
    return colour_maskcut_generator(depth, spatial_importance, num_cuts=3, stop_on_rest=True)


@pytest.fixture(scope='module')
def scene():
    return generate_scene(0, seed=0, size=SIZE)


def test_the_result_is_the_untapped_generators(scene):
    plain = cuts3d_generator(scene.depth, spatial_importance=False)(scene.image, {})
    record = StageRecorder(cuts3d_generator(scene.depth, spatial_importance=False)).run(scene.image, {})
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


def test_records_the_generators_decision_on_every_cut(scene):
    recorder = StageRecorder(cuts3d_generator(scene.depth))
    record = recorder.run(scene.image, {})
    assert record.decisions == recorder.generator.cut_log
    assert [entry['cut_index'] for entry in record.decisions] == list(range(len(record.decisions)))
    kept = [entry['cut_index'] for entry in record.decisions if entry['decision'] == 'kept']
    assert kept == [instance.provenance['cut_index'] for instance in record.instances]


def test_each_run_starts_a_fresh_record(scene):
    recorder = StageRecorder(cuts3d_generator(scene.depth, spatial_importance=False))
    first = recorder.run(scene.image, {})
    second = recorder.run(scene.image, {})
    assert first is not second and len(first.cuts) == len(second.cuts)


def test_a_generator_without_components_is_refused():
    with pytest.raises(TypeError, match='needs a generator'):
        StageRecorder(lambda image, meta: [])
