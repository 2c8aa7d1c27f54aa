"""Neighbour graphs (mesh edges or k-NN) and the segment adjacency built on them."""
import numpy as np

from cuts3d.unscene3d.neighbour_graph import neighbour_edges, segment_adjacency, undirected_pairs
from cuts3d.unscene3d.point_scene import PointScene


def line_scene(n=6, edges=None):
    points = np.column_stack([np.arange(n, dtype=float) ** 1.5, np.zeros(n), np.zeros(n)])
    return PointScene(points, np.zeros((n, 3)), np.tile([0.0, 0.0, 1.0], (n, 1)), edges)


def test_undirected_pairs_dedup_and_drop_self_loops():
    pairs = undirected_pairs(np.array([0, 1, 2, 2, 3]), np.array([1, 0, 2, 3, 2]))
    np.testing.assert_array_equal(pairs, [[0, 1], [2, 3]])
    assert undirected_pairs(np.array([1]), np.array([1])).shape == (0, 2)


def test_knn_graph_of_a_point_cloud_and_edges_of_a_mesh():
    # points on a line with growing gaps: the nearest neighbour of each point is its left neighbour
    np.testing.assert_array_equal(neighbour_edges(line_scene(), knn=1), [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5]])
    # x = 0, 1, 2.83, 5.20, 8, 11.18: each point's two nearest, symmetrised and deduplicated
    np.testing.assert_array_equal(neighbour_edges(line_scene(), knn=2),
                                  [[0, 1], [0, 2], [1, 2], [2, 3], [3, 4], [3, 5], [4, 5]])
    mesh = line_scene(edges=np.array([[3, 0], [0, 3], [5, 4]]))
    np.testing.assert_array_equal(neighbour_edges(mesh), [[0, 3], [4, 5]])


def test_segment_adjacency_links_segments_joined_by_an_edge():
    edges = np.array([[0, 1], [1, 2], [2, 3], [3, 4], [4, 5]])
    segments = np.array([0, 0, 1, 1, 2, 2])
    adjacency = segment_adjacency(edges, segments, 3).toarray()
    np.testing.assert_array_equal(adjacency, [[False, True, False], [True, False, True], [False, True, False]])
