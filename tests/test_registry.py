"""The registries of cuts3d/registry.py and the one builder for components."""
import pytest

from cuts3d.registry import (AFFINITY_MODIFIERS, CONFIDENCE_ESTIMATORS, DEPTH_SOURCES, FEATURE_EXTRACTORS,
                             GRAPH_CUTTERS, MASK_REFINERS, MODELS, PARTITIONERS, PSEUDO_MASK_GENERATORS,
                             UnknownComponentError, build_component, registered_names)

EXTRACTION_REGISTRIES = [FEATURE_EXTRACTORS, DEPTH_SOURCES, AFFINITY_MODIFIERS, GRAPH_CUTTERS, PARTITIONERS,
                         CONFIDENCE_ESTIMATORS, MASK_REFINERS, PSEUDO_MASK_GENERATORS]


@pytest.fixture
def scratch_depth_source():
    """A depth source registered for the duration of one test."""

    class ScratchDepth:
        def __init__(self, value=0.5):
            self.value = value

    DEPTH_SOURCES.register_module(name='ScratchDepth', module=ScratchDepth)
    yield ScratchDepth
    DEPTH_SOURCES.module_dict.pop('ScratchDepth')


def test_extraction_registries_share_the_cuts3d_scope():
    assert {r.scope for r in EXTRACTION_REGISTRIES} == {'cuts3d'}
    assert len({r.name for r in EXTRACTION_REGISTRIES}) == len(EXTRACTION_REGISTRIES)


def test_build_component_from_config_dict(scratch_depth_source):
    built = build_component(dict(type='ScratchDepth', value=0.25), DEPTH_SOURCES)
    assert isinstance(built, scratch_depth_source)
    assert built.value == 0.25


def test_build_component_fills_defaults_without_overriding_config(scratch_depth_source):
    assert build_component(dict(type='ScratchDepth'), DEPTH_SOURCES, value=0.75).value == 0.75
    assert build_component(dict(type='ScratchDepth', value=0.1), DEPTH_SOURCES, value=0.75).value == 0.1


def test_build_component_passes_built_objects_through(scratch_depth_source):
    obj = scratch_depth_source()
    assert build_component(obj, DEPTH_SOURCES) is obj


def test_unknown_type_names_the_registry_and_lists_registered_names(scratch_depth_source):
    with pytest.raises(UnknownComponentError) as info:
        build_component(dict(type='NoSuchDepth'), DEPTH_SOURCES)
    message = str(info.value)
    assert "'NoSuchDepth'" in message
    assert 'cuts3d::depth source' in message
    assert 'ScratchDepth' in message


def test_missing_type_key_is_a_clear_error():
    with pytest.raises(UnknownComponentError, match='needs a "type" key'):
        build_component(dict(value=1), DEPTH_SOURCES)


def test_model_registry_reaches_mmdet_types():
    backbone = build_component(dict(type='mmdet.ResNet', depth=18, num_stages=4, out_indices=(3,)), MODELS)
    assert type(backbone).__name__ == 'ResNet'
    assert 'mmdet.CascadeRCNN' in registered_names(MODELS)
