import logging

import numpy as np
import pytest

from cuts3d.depth.normalize import (DepthNormalizer, DepthShapeError, build_normalizer, normalize_depth,
                                    resize_depth)


def test_percentiles_map_to_zero_and_one_and_clip():
    raw = np.arange(100, dtype=np.float64).reshape(10, 10)
    out = normalize_depth(raw, low_pct=1, high_pct=99)
    low, high = np.percentile(raw, [1, 99])
    assert out.dtype == np.float32 and out.shape == raw.shape
    np.testing.assert_allclose(out, np.clip((raw - low) / (high - low), 0, 1), rtol=1e-6)
    assert out[0, 0] == 0.0 and out[-1, -1] == 1.0


def test_one_far_outlier_does_not_flatten_the_scene():
    raw = np.tile(np.linspace(1.0, 2.0, 50), (50, 1))
    raw[0, 0] = 1e6  # e.g. sky
    out = normalize_depth(raw)
    assert out[25, 48] > 0.95  # a plain min-max would put the whole scene below 2e-6
    assert out[0, 0] == 1.0


def test_nan_and_inf_become_unknown():
    raw = np.linspace(0, 1, 16).reshape(4, 4)
    raw[0, 1], raw[1, 1], raw[2, 2] = np.nan, np.inf, -np.inf
    out = normalize_depth(raw)
    assert np.isnan(out[[0, 1, 2], [1, 1, 2]]).all()
    assert np.isfinite(out).sum() == 13


def test_inverse_takes_the_reciprocal_zero_is_farthest_negative_is_unknown():
    disparity = np.array([[1.0, 2.0, 4.0], [8.0, 0.0, -1.0]])
    out = normalize_depth(disparity, low_pct=0, high_pct=100, inverse=True)
    depth = 1.0 / disparity[0:2].ravel()[:4]
    expected = (depth - depth.min()) / (depth.max() - depth.min())
    np.testing.assert_allclose(out.ravel()[:4], expected, rtol=1e-6)
    assert out[1, 1] == 1.0  # zero disparity: infinitely far
    assert np.isnan(out[1, 2])


def test_all_nan_stays_nan_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING):
        out = normalize_depth(np.full((3, 4), np.nan))
    assert np.isnan(out).all() and out.shape == (3, 4)
    assert 'no known value' in caplog.text


def test_constant_map_is_one_half_with_a_warning(caplog):
    raw = np.full((3, 4), 7.0)
    raw[0, 0] = np.nan
    with caplog.at_level(logging.WARNING):
        out = normalize_depth(raw)
    assert np.isnan(out[0, 0])
    assert (out.ravel()[1:] == 0.5).all()
    assert 'constant' in caplog.text


def test_bad_percentiles_and_shapes_are_refused():
    with pytest.raises(ValueError, match='low_pct'):
        normalize_depth(np.ones((2, 2)), low_pct=50, high_pct=50)
    with pytest.raises(ValueError, match='low_pct'):
        DepthNormalizer(low_pct=10, high_pct=5)
    with pytest.raises(DepthShapeError, match='H x W'):
        normalize_depth(np.ones((2, 2, 3)))


def test_resize_is_bilinear_and_nan_aware():
    depth = np.array([[0.0, 1.0], [0.0, 1.0]], dtype=np.float32)
    up = resize_depth(depth, (4, 4))
    assert up.shape == (4, 4)
    np.testing.assert_allclose(up[0], [0.0, 0.25, 0.75, 1.0])
    holed = np.full((8, 8), 0.3, dtype=np.float32)
    holed[:, :4] = np.nan
    up = resize_depth(holed, (16, 16))
    assert np.isnan(up[:, :7]).all()  # unknown half stays unknown
    np.testing.assert_allclose(up[:, 9:], 0.3, rtol=1e-6)  # known values are not pulled towards 0 by NaN


def test_resize_refuses_another_aspect_ratio():
    with pytest.raises(DepthShapeError, match='aspect'):
        resize_depth(np.zeros((10, 10), dtype=np.float32), (10, 20))
    assert resize_depth(np.zeros((10, 20), dtype=np.float32), (21, 41)).shape == (21, 41)  # within 5 %


def test_normalizer_normalises_then_resizes():
    raw = np.tile(np.arange(10, dtype=np.float64), (5, 1))
    out = build_normalizer(dict(low_pct=0, high_pct=100))(raw, (10, 20))
    assert out.shape == (10, 20) and out.dtype == np.float32
    assert np.nanmin(out) == 0.0 and np.nanmax(out) == 1.0
    with pytest.raises(TypeError):
        build_normalizer(3)
