"""Felzenszwalb-Huttenlocher over-segmentation: edge weights, the merge criterion, small segments, real scenes."""
import numpy as np
import pytest

from cuts3d.unscene3d.felzenszwalb import FelzenszwalbSegmenter, edge_weights, felzenszwalb_segments
from cuts3d.unscene3d.point_scene import PointScene
from cuts3d.registry import OVER_SEGMENTERS
from cuts3d.unscene3d.synthetic_scenes import generate_point_scene

PATH = np.array([[0, 1], [1, 2], [2, 3], [3, 4], [4, 5]])


def test_merge_criterion_int_plus_k_over_size():
    # k = 0.2, edges in weight order: {3, 4, 5} merge at w = 0 (threshold 0 + 0.2 / 3 = 0.067); {0, 1} at
    # w = 0.1 (threshold 0.1 + 0.2 / 2 = 0.2); node 2 joins at w = 0.2, equal to both thresholds ("<=", threshold
    # now 0.2 + 0.2 / 3 = 0.267); the edge 0.25 passes {0, 1, 2}'s threshold but not {3, 4, 5}'s 0.067.
    weights = np.array([0.1, 0.2, 0.25, 0.0, 0.0])
    np.testing.assert_array_equal(felzenszwalb_segments(6, PATH, weights, k=0.2, min_size=1), [0, 0, 0, 1, 1, 1])
    # k = 0.8: {3, 4, 5}'s threshold is 0.267 >= 0.25, everything merges
    np.testing.assert_array_equal(felzenszwalb_segments(6, PATH, weights, k=0.8, min_size=1), [0] * 6)
    np.testing.assert_array_equal(felzenszwalb_segments(6, PATH, weights, k=0.0, min_size=1), [0, 1, 2, 3, 3, 3])


def test_small_segments_merge_into_a_neighbour_and_ids_follow_first_points():
    weights = np.array([0.0, 0.9, 0.0, 0.0, 0.9])
    np.testing.assert_array_equal(felzenszwalb_segments(6, PATH, weights, k=0.01, min_size=1), [0, 0, 1, 1, 1, 2])
    np.testing.assert_array_equal(felzenszwalb_segments(6, PATH, weights, k=0.01, min_size=2), [0, 0, 1, 1, 1, 1])
    with pytest.raises(ValueError, match='k must be'):
        felzenszwalb_segments(6, PATH, weights, k=-1, min_size=1)


def two_point_scene(normal_a, normal_b, colours=((0.0, 0.0, 0.0), (0.0, 0.0, 0.0))):
    points = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, -1.0], [5.0, 5.0, 5.0]])
    return PointScene(points, np.array([*colours, (0, 0, 0)]), np.array([normal_a, normal_b, (0, 0, 1)]))


def test_edge_weights_square_convex_edges_and_add_colour():
    edge = np.array([[0, 1]])
    # a at the origin facing up, b one step out and down: b tilted 45 deg outwards is a convex ridge
    # ((n_b - n_a) . (p_b - p_a) = 1 > 0), tilted inwards a concave crease; both have 1 - n_a . n_b = 1 - sqrt(0.5)
    convex = two_point_scene((0, 0, 1), (np.sqrt(0.5), 0, np.sqrt(0.5)))
    concave = two_point_scene((0, 0, 1), (-np.sqrt(0.5), 0, np.sqrt(0.5)))
    base = 1 - np.sqrt(0.5)
    np.testing.assert_allclose(edge_weights(convex, edge), [base ** 2])
    np.testing.assert_allclose(edge_weights(convex, edge, square_convex=False), [base])
    np.testing.assert_allclose(edge_weights(concave, edge), [base])
    coloured = two_point_scene((0, 0, 1), (0, 0, 1), colours=((0, 0, 0), (1, 1, 1)))
    np.testing.assert_allclose(edge_weights(coloured, edge, color_weight=0.5), [0.5])


@pytest.mark.parametrize('index', [0, 1, 2])
def test_segments_never_straddle_an_object_and_the_floor(index):
    scene = generate_point_scene(index, seed=3)
    segmenter = OVER_SEGMENTERS.build(dict(type='FelzenszwalbSegmenter', color_weight=0.5))
    segments = segmenter(scene.as_point_scene())
    assert segments.min() == 0 and len(np.unique(segments)) == segments.max() + 1
    for segment in range(segments.max() + 1):
        assert len(np.unique(scene.instance_ids[segments == segment])) == 1, f'segment {segment} straddles'
    assert np.bincount(segments).min() >= 50  # min_size
    # normals alone (ScanNet's weights) also respect the boundaries, with far fewer floor segments
    normals_only = FelzenszwalbSegmenter()(scene.as_point_scene())
    for segment in range(normals_only.max() + 1):
        assert len(np.unique(scene.instance_ids[normals_only == segment])) == 1
    assert normals_only.max() < segments.max()


def test_bad_arguments():
    with pytest.raises(ValueError, match='min_size >= 1'):
        FelzenszwalbSegmenter(min_size=0)
