"""Segment feature sources: per-segment means of colours and normals."""
import numpy as np
import pytest

from cuts3d.unscene3d.point_scene import PointScene
from cuts3d.registry import SEGMENT_FEATURES
from cuts3d.unscene3d.segment_features import SegmentMeanColor, SegmentMeanNormal, segment_means


def scene():
    colors = np.array([[1, 0, 0], [0.8, 0, 0], [0, 0, 1], [0, 0, 0.8]], dtype=float)
    normals = np.array([[0, 0, 1], [0, 1, 0], [1, 0, 0], [1, 0, 0]], dtype=float)
    return PointScene(np.arange(12, dtype=float).reshape(4, 3), colors, normals)


def test_segment_means_and_empty_segments():
    values = np.array([[1.0, 2.0], [3.0, 4.0], [10.0, 10.0]])
    np.testing.assert_allclose(segment_means(values, np.array([0, 0, 2]), 3), [[2, 3], [0, 0], [10, 10]])
    with pytest.raises(ValueError, match='segment ids must lie'):
        segment_means(values, np.array([0, 0, 3]), 3)
    with pytest.raises(ValueError, match='2 segment ids for 3 points'):
        segment_means(values, np.array([0, 0]), 3)


def test_centred_mean_colour_makes_red_and_blue_opposite():
    feats = SEGMENT_FEATURES.build(dict(type='SegmentMeanColor'))(scene(), np.array([0, 0, 1, 1]), 2)
    assert feats.shape == (2, 3) and feats.dtype == np.float32
    np.testing.assert_allclose(feats, [[0.45, 0, -0.45], [-0.45, 0, 0.45]], atol=1e-6)
    raw = SegmentMeanColor(center=False)(scene(), np.array([0, 0, 1, 1]), 2)
    np.testing.assert_allclose(raw, [[0.9, 0, 0], [0, 0, 0.9]], atol=1e-6)


def test_mean_normal_shrinks_on_curved_segments():
    feats = SegmentMeanNormal()(scene(), np.array([0, 0, 1, 1]), 2)
    np.testing.assert_allclose(feats, [[0, 0.5, 0.5], [1, 0, 0]], atol=1e-6)
