"""load_tool_config / load_extraction_config: --cfg-options merged, the required key checked, --depth applied."""
import os
import textwrap

import pytest

from cuts3d.pseudo import ToolConfigError, extraction_options, load_extraction_config, load_tool_config
from cuts3d.pseudo.extraction_config import depth_source_description, depth_source_note


@pytest.fixture
def config(tmp_path):
    path = tmp_path / 'config.py'
    path.write_text(textwrap.dedent("""
        pseudo_mask_generator = dict(type='MaskCutGenerator', num_cuts=3, depth_source=None)
        clustering = dict(num_clusters=2)
        """))
    return str(path)


def test_options_are_merged_and_the_required_key_is_checked(config):
    cfg = load_tool_config(config, {'clustering.feature_extractor': {'type': 'PatchColorFeatures'}},
                           'clustering.feature_extractor')
    assert cfg.clustering.num_clusters == 2 and cfg.clustering.feature_extractor.type == 'PatchColorFeatures'
    with pytest.raises(ToolConfigError, match=r'^config .*config\.py has no clustering\.feature_extractor$'):
        load_tool_config(config, None, 'clustering.feature_extractor')
    with pytest.raises(ToolConfigError, match=r'^config .*config\.py has no panoptic\.stuff_source$'):
        load_tool_config(config, None, 'panoptic.stuff_source')


def test_a_missing_file_is_named(tmp_path):
    missing = str(tmp_path / 'none.py')
    with pytest.raises(ToolConfigError, match=f'^config file not found: {missing}$'):
        load_extraction_config(missing, None, None)


def test_depth_dir_becomes_file_depth(config, tmp_path):
    cfg = load_extraction_config(config, {'pseudo_mask_generator.num_cuts': 1}, str(tmp_path))
    assert cfg.pseudo_mask_generator.num_cuts == 1
    assert cfg.pseudo_mask_generator.depth_source == {'type': 'FileDepth', 'root': os.path.abspath(tmp_path)}
    assert load_extraction_config(config, None, None).pseudo_mask_generator.depth_source is None
    with pytest.raises(ToolConfigError, match='is not a folder'):
        load_extraction_config(config, None, str(tmp_path / 'no_such_dir'))


@pytest.mark.parametrize('option, message', [
    ({'extraction.max_side': -5}, r'extraction.max_side must be an integer >= 1 or None; got -5'),
    ({'extraction.sc_levels': 0}, 'extraction.sc_levels must be an integer >= 1'),
    ({'extraction.min_side': 2.5}, 'extraction.min_side must be an integer >= 1'),
    ({'extraction.dist_timeout_s': 0}, 'extraction.dist_timeout_s must be a number > 0'),
    ({'extraction.batch_size': 0}, "extraction.batch_size must be 'auto' or an integer >= 1; got 0"),
    ({'extraction.max_in_flight': 'many'}, "extraction.max_in_flight must be 'auto' or an integer >= 1"),
    ({'extraction.pipeline': 'yes'}, "extraction.pipeline must be True, False or 'auto'"),
    ({'extraction.max_consecutive_failures': 3}, 'unknown option extraction.max_consecutive_failures'),
    ({'extraction': [1]}, 'extraction must be a dict'),
])
def test_extraction_options_are_checked_before_any_image(config, option, message):
    with pytest.raises(ToolConfigError, match=message):
        load_extraction_config(config, option, None)


def test_valid_extraction_options_pass(config):
    cfg = load_extraction_config(config, {'extraction.max_side': None, 'extraction.warn_after_failures': 5,
                                          'extraction.cut_workers': 3, 'extraction.max_in_flight': 'auto'}, None)
    assert extraction_options(cfg) == {'max_side': None, 'warn_after_failures': 5, 'cut_workers': 3,
                                       'max_in_flight': 'auto'}


DEMO = os.path.join(os.path.dirname(__file__), '..', '..', 'configs', 'demo')


def test_a_cuts3d_config_without_depth_is_refused_at_start(tmp_path):
    """demo_cuts3d.py without --depth used to run on a constant depth map without a word."""
    with pytest.raises(ToolConfigError, match=r'demo_cuts3d\.py: LocalCut, SpatialConfidence, SpatialImportance need '
                                              r'depth, but pseudo_mask_generator\.depth_source is None: pass --depth'):
        load_extraction_config(os.path.join(DEMO, 'demo_cuts3d.py'), None, None)
    cfg = load_extraction_config(os.path.join(DEMO, 'demo_cuts3d.py'), None, str(tmp_path))
    assert depth_source_note(cfg) is None and 'FileDepth' in depth_source_description(cfg)


def test_constant_depth_must_be_asked_for_and_is_announced():
    cfg = load_extraction_config(os.path.join(DEMO, 'extract_cuts3d_tiny.py'), None, None)
    assert depth_source_note(cfg).startswith('depth: ConstantDepth(0.5): one depth everywhere, no 3D information')


def test_a_config_without_depth_components_needs_no_depth():
    cfg = load_extraction_config(os.path.join(DEMO, 'own_photos.py'), None, None)
    assert depth_source_note(cfg) is None and depth_source_description(cfg).startswith('none (2D only')
