"""The input of the 3D pipeline: points with colours and oriented normals, and the mesh edges when there is a mesh.

UnScene3D works on reconstructed meshes (ScanNet, ARKitScenes after Poisson reconstruction); the project also takes
point clouds, whose neighbour graph is then a k-NN graph. :func:`as_point_scene` accepts an Open3D
``TriangleMesh`` or ``PointCloud``, a dict of arrays, or a :class:`PointScene`, and checks everything once.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class PointScene:
    """A coloured, oriented point set.

    ``points`` float64 ``N x 3``; ``colors`` float32 ``N x 3`` in [0, 1]; ``normals`` float32 ``N x 3`` of unit
    length, oriented outwards (Felzenszwalb's convexity test and the normal features need a consistent side);
    ``edges`` int64 ``E x 2`` vertex pairs of a mesh, or None for a point cloud.
    """

    points: np.ndarray
    colors: np.ndarray
    normals: np.ndarray
    edges: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.points = _checked_array(self.points, 'points', np.float64)
        n = len(self.points)
        if n < 3:
            raise ValueError(f'a scene needs at least 3 points, got {n}')
        self.colors = _checked_array(self.colors, 'colors', np.float32, n)
        if self.colors.min() < 0 or self.colors.max() > 1:
            raise ValueError('colors must be in [0, 1] (divide 8-bit colours by 255)')
        normals = _checked_array(self.normals, 'normals', np.float64, n)
        lengths = np.linalg.norm(normals, axis=1, keepdims=True)
        if (lengths < 1e-6).any():
            raise ValueError(f'{int((lengths < 1e-6).sum())} normals have zero length')
        self.normals = (normals / lengths).astype(np.float32)
        if self.edges is not None:
            edges = np.asarray(self.edges)
            if edges.ndim != 2 or edges.shape[1] != 2 or not np.issubdtype(edges.dtype, np.integer):
                raise ValueError(f'edges must be an integer E x 2 array, got {edges.dtype} {edges.shape}')
            if len(edges) and (edges.min() < 0 or edges.max() >= n):
                raise ValueError(f'edges index points outside 0 .. {n - 1}')
            self.edges = edges.astype(np.int64)

    def __len__(self) -> int:
        return len(self.points)


def _checked_array(values: Any, name: str, dtype: type, rows: int | None = None) -> np.ndarray:
    array = np.asarray(values, dtype=dtype)
    if array.ndim != 2 or array.shape[1] != 3 or (rows is not None and len(array) != rows):
        expected = f'{rows} x 3' if rows is not None else 'N x 3'
        raise ValueError(f'{name} must be {expected}, got shape {array.shape}')
    if not np.isfinite(array).all():
        raise ValueError(f'{name} contains NaN or infinite values')
    return array


def mesh_edges(triangles: np.ndarray) -> np.ndarray:
    """The unique undirected edges ``(i < j)`` of a triangle list ``T x 3``, int64 ``E x 2``."""
    triangles = np.asarray(triangles, dtype=np.int64)
    pairs = np.concatenate([triangles[:, [0, 1]], triangles[:, [1, 2]], triangles[:, [2, 0]]])
    return np.unique(np.sort(pairs, axis=1), axis=0)


def as_point_scene(scene: Any) -> PointScene:
    """A :class:`PointScene` from an Open3D mesh or point cloud, a dict of arrays, or a PointScene.

    * ``TriangleMesh``: vertices, vertex colours (required), vertex normals (computed from the faces when
      missing; they follow the triangle winding), and the triangle edges as the neighbour graph.
    * ``PointCloud``: points, colours and normals are all required. Open3D estimates normals with an arbitrary
      sign (``estimate_normals``), so orient them first (``orient_normals_towards_camera_location`` or
      ``orient_normals_consistent_tangent_plane``); this function cannot know the outside of a surface.
    * dict: ``points``, ``colors``, ``normals`` and optional ``edges`` (or ``triangles``) arrays.
    """
    if isinstance(scene, PointScene):
        return scene
    import open3d as o3d  # loaded when a scene needs converting, not when the package is imported
    if isinstance(scene, o3d.geometry.TriangleMesh):
        if not scene.has_vertex_colors():
            raise ValueError('the mesh has no vertex colours; UnScene3D segments colour and geometry')
        if not scene.has_vertex_normals():
            scene = o3d.geometry.TriangleMesh(scene)
            scene.compute_vertex_normals()
        return PointScene(np.asarray(scene.vertices), np.asarray(scene.vertex_colors),
                          np.asarray(scene.vertex_normals), mesh_edges(np.asarray(scene.triangles)))
    if isinstance(scene, o3d.geometry.PointCloud):
        missing = [name for name, has in (('colours', scene.has_colors()), ('normals', scene.has_normals()))
                   if not has]
        if missing:
            raise ValueError(f'the point cloud has no {" or ".join(missing)}; estimate and orient normals first '
                             '(estimate_normals, then orient_normals_towards_camera_location)')
        return PointScene(np.asarray(scene.points), np.asarray(scene.colors), np.asarray(scene.normals))
    if isinstance(scene, dict):
        unknown = set(scene) - {'points', 'colors', 'normals', 'edges', 'triangles'}
        if unknown or not {'points', 'colors', 'normals'} <= set(scene):
            raise ValueError(f'a scene dict needs points, colors, normals (and optionally edges or triangles); '
                             f'got keys {sorted(scene)}')
        edges = scene.get('edges')
        if edges is None and scene.get('triangles') is not None:
            edges = mesh_edges(scene['triangles'])
        return PointScene(scene['points'], scene['colors'], scene['normals'], edges)
    raise TypeError(f'cannot read a 3D scene from {type(scene).__name__}; give an Open3D TriangleMesh or '
                    'PointCloud, a dict of arrays, or a PointScene')
