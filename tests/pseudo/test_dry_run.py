"""The dry run tells configuration errors (fail on a synthetic image) from per-image failures."""
import os

import numpy as np
import pytest
from mmengine.config import Config

from cuts3d.pseudo.dry_run import GeneratorConfigError, build_checked_generator, dry_run, synthetic_image

ROOT = os.path.join(os.path.dirname(__file__), '..', '..')
CUTS3D = os.path.join(ROOT, 'configs', 'demo', 'extract_cuts3d_tiny.py')


def cuts3d_cfg():
    return Config.fromfile(CUTS3D).pseudo_mask_generator


@pytest.mark.parametrize('change, message', [
    (lambda cfg: cfg.update(depth_source=['a', 'b']), "TypeError: 'list' object is not callable"),
    (lambda cfg: cfg.update(depth_source=None), 'needs depth'),
    (lambda cfg: cfg.partitioner.update(type='NoSuchCut'), "unknown partitioner type 'NoSuchCut'"),
    (lambda cfg: cfg.update(num_cuts=0), 'cannot be built: ValueError: .*num_cuts must be >= 1'),
    (lambda cfg: cfg.feature_extractor.update(checkpoint='/no/such.pth'), 'cannot be built'),
])
def test_configuration_errors_fail_before_any_image(change, message):
    cfg = cuts3d_cfg()
    change(cfg)
    with pytest.raises(GeneratorConfigError, match=message) as error:
        build_checked_generator(cfg)
    assert '\n' not in str(error.value)


def test_file_depth_without_a_file_for_the_synthetic_image_still_runs_every_stage(tmp_path):
    cfg = cuts3d_cfg()
    cfg.depth_source = dict(type='FileDepth', root=str(tmp_path))  # empty: no depth for the synthetic image
    generator = build_checked_generator(cfg)
    assert type(generator.depth_source).__name__ == 'FileDepth'  # the stand-in is gone after the dry run
    assert len(dry_run(generator)) >= 1


def test_a_broken_depth_file_source_is_still_a_configuration_error(tmp_path):
    cfg = cuts3d_cfg()
    cfg.depth_source = dict(type='FileDepth', root=str(tmp_path), suffixes=('.npy', ))
    np.save(tmp_path / '__cuts3d_dry_run__.npy', np.zeros((3, 4, 5)))  # found, but not a depth map
    with pytest.raises(GeneratorConfigError, match='must be H x W'):
        build_checked_generator(cfg)


def test_the_synthetic_image_is_deterministic():
    np.testing.assert_array_equal(synthetic_image(), synthetic_image())
    assert synthetic_image().shape == (96, 128, 3)
