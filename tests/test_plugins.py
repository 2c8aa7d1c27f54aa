"""A third-party plugin package loaded through `custom_imports` (plugins/cuts3d_example_depth)."""
from pathlib import Path

import numpy as np
from mmengine.config import Config

from cuts3d.registry import DEPTH_SOURCES, build_component

REPO = Path(__file__).resolve().parents[1]


def test_custom_imports_registers_the_plugin_depth_source(tmp_path):
    cfg_file = tmp_path / 'plugin_depth.py'
    cfg_file.write_text("custom_imports = dict(imports=['cuts3d_example_depth'], allow_failed_imports=False)\n"
                        "depth_source = dict(type='VerticalPriorDepth', near=0.25, far=0.75)\n")
    cfg = Config.fromfile(str(cfg_file))
    depth = build_component(cfg.depth_source, DEPTH_SOURCES)(np.zeros((5, 3, 3), np.uint8), {})
    assert depth.shape == (5, 3) and depth.dtype == np.float32
    np.testing.assert_allclose(depth[:, 0], np.linspace(0.75, 0.25, 5), rtol=1e-6)
    assert depth[0, 0] > depth[-1, 0]  # top rows farther


def test_plugin_config_builds_a_generator_with_the_plugin_depth():
    cfg = Config.fromfile(str(REPO / 'plugins/cuts3d_example_depth/configs/extract_vertical_prior.py'))
    assert cfg.pseudo_mask_generator.depth_source == dict(type='VerticalPriorDepth', near=0.2, far=1.0)
    assert DEPTH_SOURCES.get('VerticalPriorDepth') is not None
