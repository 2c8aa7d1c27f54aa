"""StereoDepth on a real Middlebury 2014 pair (scikit-image's ``stereo_motorcycle``) against its ground truth."""
import cv2
import numpy as np
import pytest
from scipy.stats import spearmanr
from skimage.data import stereo_motorcycle

from cuts3d.depth import StereoDepth
from cuts3d.registry import DEPTH_SOURCES, build_component

# skimage's docstring calibration for the shipped 741 x 500 pair, halved with the images below.
FOCAL, BASELINE, DOFFS = 994.978 / 2, 193.001, 31.086 / 2


@pytest.fixture(scope='module')
def motorcycle(tmp_path_factory):
    """Half-size left and right views (RGB), ground-truth depth (NaN unknown), and the right view's folder."""
    left, right, disparity = stereo_motorcycle()
    size = (left.shape[1] // 2, left.shape[0] // 2)
    left = cv2.resize(left, size, interpolation=cv2.INTER_AREA)
    right = cv2.resize(right, size, interpolation=cv2.INTER_AREA)
    disparity = np.where(np.isfinite(disparity), disparity, np.nan).astype(np.float32)
    disparity = cv2.resize(disparity, size, interpolation=cv2.INTER_NEAREST) / 2
    gt_depth = FOCAL * BASELINE / (disparity + DOFFS)
    right_root = tmp_path_factory.mktemp('right')
    (right_root / 'scene').mkdir()
    assert cv2.imwrite(str(right_root / 'scene' / 'im.png'), cv2.cvtColor(right, cv2.COLOR_RGB2BGR))
    return left, gt_depth, str(right_root)


META = {'img_path': '/data/left/scene/im.png', 'rel_path': 'scene/im.png'}


def _spearman_on_valid(pred, gt):
    valid = np.isfinite(pred) & np.isfinite(gt)
    return spearmanr(pred[valid], gt[valid])[0], valid.mean()


@pytest.mark.parametrize('calibration', [dict(focal_length=FOCAL, baseline=BASELINE, doffs=DOFFS), None])
def test_sgbm_depth_follows_ground_truth(motorcycle, calibration):
    left, gt_depth, right_root = motorcycle
    depth = StereoDepth(right_root, calibration=calibration)(left, META)
    assert depth.shape == left.shape[:2] and depth.dtype == np.float32
    assert np.nanmin(depth) >= 0.0 and np.nanmax(depth) <= 1.0
    rho, valid_fraction = _spearman_on_valid(depth, gt_depth)
    assert valid_fraction > 0.5
    assert rho > 0.7, f'Spearman {rho:.3f}'


def test_matching_at_reduced_scale_returns_image_size(motorcycle):
    left, gt_depth, right_root = motorcycle
    source = build_component(dict(type='StereoDepth', right_root=right_root, scale=0.5), DEPTH_SOURCES)
    depth = source(left, META)
    assert depth.shape == left.shape[:2]
    assert _spearman_on_valid(depth, gt_depth)[0] > 0.7


def test_invalid_disparities_are_nan(motorcycle):
    left, _, right_root = motorcycle
    source = StereoDepth(right_root)
    disparity = source.disparity(left, cv2.imread(right_root + '/scene/im.png')[:, :, ::-1])
    band = source.matcher(left.shape[1]).getNumDisparities()
    assert np.isnan(disparity[:, :band - 1]).all()  # no match can reach left of the largest disparity
    assert np.isfinite(disparity[:, band:]).mean() > 0.6


def test_missing_or_mismatched_right_view(motorcycle, tmp_path):
    left, _, right_root = motorcycle
    with pytest.raises(FileNotFoundError, match='right stereo view'):
        StereoDepth(str(tmp_path))(left, META)
    with pytest.raises(ValueError, match='differ in shape'):
        StereoDepth(right_root)(left[:, :-2], META)


@pytest.mark.parametrize('kwargs, message', [
    (dict(num_disparities=20), 'multiple of 16'),
    (dict(block_size=4), 'odd'),
    (dict(calibration=dict(focal_length=1.0)), 'baseline'),
    (dict(mode='fast'), 'mode'),
    (dict(scale=2.0), 'scale'),
])
def test_bad_settings_are_refused(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        StereoDepth(str(tmp_path), **kwargs)
