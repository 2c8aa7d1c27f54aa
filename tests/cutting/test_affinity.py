"""MaskCut's affinity graph: cosine affinity, binarisation, degree (cuts3d/cutting/affinity.py)."""
import numpy as np
import pytest

from cuts3d.cutting.affinity import affinity_pattern, binarize_affinity, cosine_affinity, degree, l2_normalize


def test_cosine_affinity_of_hand_made_features():
    feats = np.array([[3.0, 4.0], [1.0, 0.0], [0.0, -2.0]], dtype=np.float32)
    expected = np.array([[1.0, 0.6, -0.8],
                         [0.6, 1.0, 0.0],
                         [-0.8, 0.0, 1.0]])
    affinity = cosine_affinity(feats)
    assert affinity.dtype == np.float32
    np.testing.assert_allclose(affinity, expected, rtol=1e-6, atol=1e-7)


def test_zeroed_features_give_zero_rows_like_torch_normalize():
    feats = np.array([[1.0, 2.0], [0.0, 0.0], [-2.0, 1.0]])
    np.testing.assert_array_equal(l2_normalize(feats)[1], [0.0, 0.0])
    affinity = cosine_affinity(feats)
    np.testing.assert_array_equal(affinity[1], 0.0)
    np.testing.assert_array_equal(affinity[:, 1], 0.0)


def test_cosine_affinity_rejects_a_feature_map_that_is_not_flattened():
    with pytest.raises(ValueError, match='N x C'):
        cosine_affinity(np.ones((4, 3, 3)))


def test_binarisation_is_strictly_above_tau_with_eps_elsewhere():
    affinity = np.array([[1.0, 0.15, 0.1500001], [0.15, 1.0, -0.5], [0.1500001, -0.5, 1.0]])
    graph = binarize_affinity(affinity, tau=0.15, eps=1e-5)
    assert graph.dtype == np.float64
    np.testing.assert_array_equal(graph, [[1.0, 1e-5, 1.0], [1e-5, 1.0, 1e-5], [1.0, 1e-5, 1.0]])


def test_degree_is_the_row_sum():
    graph = np.array([[1.0, 1e-5, 1.0], [1e-5, 1.0, 1e-5], [1.0, 1e-5, 1.0]])
    np.testing.assert_allclose(degree(graph), [2.00001, 1.00002, 2.00001])


def test_pattern_marks_exactly_the_edges_binarisation_sets_to_one():
    affinity = cosine_affinity(np.random.default_rng(0).standard_normal((50, 8)).astype(np.float32))
    pattern = affinity_pattern(affinity, tau=0.15)
    assert pattern.dtype == bool
    np.testing.assert_array_equal(np.where(pattern, 1.0, 1e-5), binarize_affinity(affinity, 0.15, 1e-5))
