"""Deterministic synthetic 3D scenes for tests and demos: a floor and a few objects of one colour standing on it.

A scene is what a scanner would see from above: a square floor (``size`` metres, tiled in two shades) with
3 to 5 boxes (random size and yaw) and spheres resting on it, all objects the same colour, so colour alone can
tell objects from the floor but not one object from another; the instances are separated by geometry only.
Points are sampled about every ``spacing`` metres (jittered), with oriented analytic normals and small colour
noise; the parts nobody could scan (box bottoms, sphere undersides, the floor under an object) are left out.
``instance_ids`` labels every point: 0 for the floor, ``1 .. n`` for the objects.

Everything comes from ``numpy.random.default_rng([seed, index])``: a scene depends only on its arguments.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .point_scene import PointScene

if TYPE_CHECKING:
    import open3d as o3d

OBJECT_COLOR = (0.80, 0.25, 0.20)
FLOOR_COLORS = ((0.55, 0.52, 0.47), (0.47, 0.45, 0.41))
TILE = 0.5  # metres
COLOR_NOISE = 0.01
SHAPES = ('box', 'sphere')


@dataclass
class SyntheticPointScene:
    """A synthetic scene: ``points`` float64 ``N x 3`` (z up), ``colors``, ``normals``, ``instance_ids`` int64
    (0 = floor), and the ``shapes`` of objects ``1 .. n``."""

    points: np.ndarray
    colors: np.ndarray
    normals: np.ndarray
    instance_ids: np.ndarray
    shapes: list[str]

    @property
    def masks(self) -> list[np.ndarray]:
        """Per-object bool point masks, object 1 first."""
        return [self.instance_ids == i for i in range(1, len(self.shapes) + 1)]

    def as_point_scene(self) -> PointScene:
        return PointScene(self.points, self.colors, self.normals)

    def to_open3d(self) -> o3d.geometry.PointCloud:
        import open3d as o3d  # loaded only for this conversion
        cloud = o3d.geometry.PointCloud(o3d.utility.Vector3dVector(self.points))
        cloud.colors = o3d.utility.Vector3dVector(self.colors.astype(np.float64))
        cloud.normals = o3d.utility.Vector3dVector(self.normals.astype(np.float64))
        return cloud


def _grid(rng: np.random.Generator, extent_u: float, extent_v: float, spacing: float) -> np.ndarray:
    """Jittered grid samples ``(u, v)`` on ``[0, extent_u] x [0, extent_v]``, about ``spacing`` apart."""
    nu, nv = max(int(round(extent_u / spacing)), 1), max(int(round(extent_v / spacing)), 1)
    u, v = np.meshgrid((np.arange(nu) + 0.5) / nu * extent_u, (np.arange(nv) + 0.5) / nv * extent_v,
                       indexing='ij')
    jitter = rng.uniform(-0.3, 0.3, (nu * nv, 2)) * [extent_u / nu, extent_v / nv]
    return np.stack([u.ravel(), v.ravel()], axis=1) + jitter


def _box_surface(rng: np.random.Generator, center: np.ndarray, half: np.ndarray, height: float, yaw: float,
                 spacing: float) -> tuple[np.ndarray, np.ndarray]:
    """Top and four side faces of a box standing on z = 0: points and outward normals."""
    points, normals = [], []
    top = _grid(rng, 2 * half[0], 2 * half[1], spacing) - half
    points.append(np.column_stack([top, np.full(len(top), height)]))
    normals.append(np.tile([0.0, 0.0, 1.0], (len(top), 1)))
    for axis in (0, 1):
        other = 1 - axis
        for sign in (-1.0, 1.0):
            face = _grid(rng, 2 * half[other], height, spacing)
            local = np.zeros((len(face), 3))
            local[:, axis] = sign * half[axis]
            local[:, other] = face[:, 0] - half[other]
            local[:, 2] = face[:, 1]
            normal = np.zeros(3)
            normal[axis] = sign
            points.append(local)
            normals.append(np.tile(normal, (len(face), 1)))
    rotation = np.array([[np.cos(yaw), -np.sin(yaw), 0.0], [np.sin(yaw), np.cos(yaw), 0.0], [0.0, 0.0, 1.0]])
    points, normals = np.concatenate(points) @ rotation.T, np.concatenate(normals) @ rotation.T
    return points + [center[0], center[1], 0.0], normals


def _sphere_surface(center: np.ndarray, radius: float, spacing: float) -> tuple[np.ndarray, np.ndarray]:
    """A sphere resting on z = 0 (Fibonacci samples about ``spacing`` apart), minus its hidden underside."""
    count = max(int(4 * np.pi * radius ** 2 / spacing ** 2), 16)
    index = np.arange(count) + 0.5
    polar = np.arccos(1 - 2 * index / count)
    azimuth = np.pi * (1 + 5 ** 0.5) * index
    normals = np.column_stack([np.sin(polar) * np.cos(azimuth), np.sin(polar) * np.sin(azimuth), np.cos(polar)])
    normals = normals[normals[:, 2] > -0.9]
    return np.array([center[0], center[1], radius]) + radius * normals, normals


def _place_objects(rng: np.random.Generator, size: float, count: int, gap: float) -> list[tuple]:
    """``(shape, centre xy, footprint radius, parameters)`` for ``count`` objects at least ``gap`` apart."""
    placed: list[tuple] = []
    while len(placed) < count:
        shape = SHAPES[int(rng.integers(len(SHAPES)))]
        if shape == 'box':
            half = rng.uniform(0.12, 0.22, 2)
            params = dict(half=half, height=float(rng.uniform(0.2, 0.45)), yaw=float(rng.uniform(0, np.pi / 2)))
            reach = float(np.linalg.norm(half))
        else:
            params = dict(radius=float(rng.uniform(0.12, 0.2)))
            reach = params['radius']
        center = rng.uniform(reach + 0.1, size - reach - 0.1, 2)
        if all(np.linalg.norm(center - other[1]) >= reach + other[2] + gap for other in placed):
            placed.append((shape, center, reach, params))
    return placed


def _under_object(floor: np.ndarray, shape: str, center: np.ndarray, params: dict) -> np.ndarray:
    """Floor samples hidden under an object (inside the box footprint, or the sphere's shadow from above)."""
    offset = floor - center
    if shape == 'sphere':
        return np.linalg.norm(offset, axis=1) < params['radius']
    yaw = params['yaw']
    local = offset @ np.array([[np.cos(yaw), -np.sin(yaw)], [np.sin(yaw), np.cos(yaw)]])
    return (np.abs(local) < params['half']).all(axis=1)


def generate_point_scene(index: int, seed: int = 0, size: float = 2.0, spacing: float = 0.025,
                         num_objects: tuple[int, int] = (3, 5), gap: float = 0.15) -> SyntheticPointScene:
    """Scene ``index`` of the sequence for ``seed``: a ``size`` x ``size`` m floor and ``num_objects`` (inclusive
    range) boxes and spheres at least ``gap`` m apart, sampled every ``spacing`` m."""
    if spacing <= 0 or size <= 1.0:
        raise ValueError(f'need spacing > 0 and size > 1 m, got spacing={spacing}, size={size}')
    if not 1 <= num_objects[0] <= num_objects[1]:
        raise ValueError(f'num_objects must be a range (low, high) with 1 <= low <= high, got {num_objects}')
    rng = np.random.default_rng([seed, index])
    objects = _place_objects(rng, size, int(rng.integers(num_objects[0], num_objects[1] + 1)), gap)
    floor = _grid(rng, size, size, spacing)
    visible = np.ones(len(floor), dtype=bool)
    for shape, center, _, params in objects:
        visible &= ~_under_object(floor, shape, center, params)
    floor = floor[visible]
    tiles = (np.floor(floor[:, 0] / TILE) + np.floor(floor[:, 1] / TILE)).astype(int) % 2
    points = [np.column_stack([floor, np.zeros(len(floor))])]
    normals = [np.tile([0.0, 0.0, 1.0], (len(floor), 1))]
    colors = [np.asarray(FLOOR_COLORS)[tiles]]
    ids = [np.zeros(len(floor), dtype=np.int64)]
    for number, (shape, center, _, params) in enumerate(objects, start=1):
        if shape == 'box':
            surface, normal = _box_surface(rng, center, params['half'], params['height'], params['yaw'], spacing)
        else:
            surface, normal = _sphere_surface(center, params['radius'], spacing)
        points.append(surface)
        normals.append(normal)
        colors.append(np.tile(OBJECT_COLOR, (len(surface), 1)))
        ids.append(np.full(len(surface), number, dtype=np.int64))
    colors = np.concatenate(colors) + rng.normal(0.0, COLOR_NOISE, (sum(len(c) for c in colors), 3))
    return SyntheticPointScene(points=np.concatenate(points), colors=np.clip(colors, 0, 1).astype(np.float32),
                               normals=np.concatenate(normals).astype(np.float32),
                               instance_ids=np.concatenate(ids), shapes=[obj[0] for obj in objects])
