"""tools/make_sample_data.py: Middlebury disparity to depth, and the committed samples it regenerates."""
import json
import runpy
from pathlib import Path

import cv2
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
TOOL = runpy.run_path(str(REPO / 'tools' / 'make_sample_data.py'), run_name='make_sample_data')


def test_disparity_to_depth_is_the_middlebury_formula():
    disparity = np.array([[10.0, np.inf], [np.nan, 0.0]])
    depth = TOOL['disparity_to_depth'](disparity, focal_length=1000.0, baseline=100.0, doffs=10.0)
    np.testing.assert_allclose(depth[0, 0], 1000 * 100 / 20)
    np.testing.assert_allclose(depth[1, 1], 1000 * 100 / 10)
    assert np.isnan(depth[0, 1]) and np.isnan(depth[1, 0])


def test_downscale_is_nan_aware():
    depth = np.array([[1.0, 3.0, np.nan, np.nan], [1.0, 3.0, np.nan, 5.0]])
    small = TOOL['downscale_depth'](depth, (2, 1))
    np.testing.assert_allclose(small[0, 0], 2.0)
    assert np.isnan(small[0, 1])  # only a quarter of its pixels are valid


def test_real_sample_round_trip(tmp_path):
    """The motorcycle pair: depth normalised to [0, 1], larger = farther (disparity falls with depth)."""
    stems = TOOL['write_real_samples'](tmp_path, long_side=96, opencv_data=tmp_path / 'absent')
    assert stems == ['motorcycle']
    depth = np.load(tmp_path / 'depth' / 'motorcycle.npy')
    assert depth.dtype == np.float32 and depth.shape == (65, 96)
    assert np.nanmin(depth) == 0.0 and np.nanmax(depth) == 1.0
    calibration = json.loads((tmp_path / 'calibration.json').read_text())['motorcycle']
    assert set(calibration) >= {'focal_length', 'baseline', 'doffs', 'depth_min_mm', 'depth_max_mm'}
    assert (tmp_path / 'right' / 'motorcycle.png').is_file() and (tmp_path / 'images' / 'motorcycle.png').is_file()


@pytest.mark.parametrize('stem', ['motorcycle', 'aloe'])
def test_committed_real_samples_are_consistent(stem):
    root = REPO / 'data' / 'samples' / 'real'
    depth = np.load(root / 'depth' / f'{stem}.npy')
    image = cv2.imread(str(root / 'images' / f'{stem}.png'))
    right = cv2.imread(str(root / 'right' / f'{stem}.png'))
    assert depth.shape == image.shape[:2] == right.shape[:2]
    assert depth.dtype == np.float32 and np.nanmin(depth) == 0.0 and np.nanmax(depth) == 1.0
    assert np.isfinite(depth).mean() > 0.9


def test_committed_synthetic_samples_are_consistent():
    root = REPO / 'data' / 'samples' / 'synthetic'
    coco = json.loads((root / 'annotations.json').read_text())
    assert {img['scene_kind'] for img in coco['images']} == {'same_appearance_overlap', 'distinct_separated',
                                                             'mixed'}
    for img in coco['images']:
        image = cv2.imread(str(root / 'images' / img['file_name']))
        depth = np.load(root / 'depth' / (Path(img['file_name']).stem + '.npy'))
        assert image.shape[:2] == depth.shape == (img['height'], img['width'])
        assert any(ann['image_id'] == img['id'] for ann in coco['annotations'])
