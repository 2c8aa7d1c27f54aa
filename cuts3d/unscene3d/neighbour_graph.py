"""The neighbour graph of a scene (mesh edges or a k-NN graph) and the adjacency of its segments.

UnScene3D's over-segmentation runs on the mesh graph, and its connected-component separation on the "coarsened
scene connectivity graph": two segments are adjacent when a graph edge joins a point of one to a point of the
other. A point cloud has no mesh, so its graph is the symmetrised k-NN graph from Open3D's nearest-neighbour search
(the same search as LocalCut, :func:`cuts3d.cutting.local_cut.knn_edges`).
"""
from __future__ import annotations

import numpy as np
from scipy import sparse

from ..cutting.local_cut import knn_edges
from .point_scene import PointScene


def undirected_pairs(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Unique undirected edges ``(i < j)`` of directed pairs, int64 ``E x 2``, sorted; self-loops dropped."""
    pairs = np.stack([np.minimum(rows, cols), np.maximum(rows, cols)], axis=1).astype(np.int64)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return np.unique(pairs, axis=0) if len(pairs) else pairs.reshape(0, 2)


def neighbour_edges(scene: PointScene, knn: int = 10) -> np.ndarray:
    """The scene's graph as unique undirected edges: its mesh edges, or the symmetrised ``knn``-NN graph."""
    if scene.edges is not None:
        return undirected_pairs(scene.edges[:, 0], scene.edges[:, 1])
    if knn < 1:
        raise ValueError(f'knn must be >= 1, got {knn}')
    rows, cols, _ = knn_edges(scene.points, knn)
    return undirected_pairs(rows, cols)


def segment_adjacency(edges: np.ndarray, segment_ids: np.ndarray, num_segments: int) -> sparse.csr_matrix:
    """Symmetric bool ``S x S`` adjacency: segments ``a != b`` are adjacent when an edge joins their points."""
    a, b = segment_ids[edges[:, 0]], segment_ids[edges[:, 1]]
    across = a != b
    a, b = a[across], b[across]
    data = np.ones(2 * len(a), dtype=bool)
    adjacency = sparse.coo_matrix((data, (np.concatenate([a, b]), np.concatenate([b, a]))),
                                  shape=(num_segments, num_segments))
    return (adjacency.tocsr() > 0).astype(bool)
