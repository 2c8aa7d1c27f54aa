"""Deterministic synthetic scenes for the 3D cutting tests: same-coloured objects that touch in 2D at different
depths, with a NCut-like eigenvector and its bipartition. No features or networks are involved.

A scene is drawn at pixel level (``patch`` pixels per patch) so that patches on object borders mix surfaces,
as monocular depth does; the true instances are the patch-majority labels.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from cuts3d.cutting.point_cloud import depth_to_grid
from cuts3d.structures import Cut, CutContext

BACKGROUND, NEAR, FAR = 0, 1, 2


@dataclass
class Scene:
    depth: np.ndarray        # float32 H x W pixel depth in [0, 1]
    labels: np.ndarray       # int H x W pixel labels (BACKGROUND, NEAR, FAR)
    near: np.ndarray         # bool h x w: patches mostly covered by the near object (the instance to find)
    far: np.ndarray          # bool h x w: patches mostly covered by the far object
    cut: Cut
    image: np.ndarray        # uint8 H x W x 3, one colour for both objects

    def context(self, reduce: str = 'median', claimed: np.ndarray | None = None) -> CutContext:
        grid = self.near.shape
        return CutContext(image=self.image, grid=grid, depth=depth_to_grid(self.depth, grid, reduce=reduce),
                          claimed=claimed)


def _disk(shape: tuple[int, int], centre: tuple[float, float], radii: tuple[float, float]) -> np.ndarray:
    ys, xs = np.mgrid[0:shape[0], 0:shape[1]] + 0.5
    return ((ys - centre[0]) / radii[0]) ** 2 + ((xs - centre[1]) / radii[1]) ** 2 <= 1


def _patch_majority(labels: np.ndarray, patch: int, label: int) -> np.ndarray:
    h, w = labels.shape[0] // patch, labels.shape[1] // patch
    share = (labels == label).reshape(h, patch, w, patch).mean(axis=(1, 3))
    return share > 0.5


def _eigenvector(labels: np.ndarray, patch: int, rng: np.random.Generator, near_value: float,
                 far_value: float, noise: float) -> np.ndarray:
    """NCut-like eigenvector: high on the near object, lower on the far one, negative on the background, mixed
    at borders (patch averages) and smoothly perturbed."""
    value = np.select([labels == NEAR, labels == FAR], [near_value, far_value], -0.5).astype(np.float64)
    h, w = labels.shape[0] // patch, labels.shape[1] // patch
    v = value.reshape(h, patch, w, patch).mean(axis=(1, 3))
    v += noise * ndimage.gaussian_filter(rng.standard_normal((h, w)), 1.5) * 3
    return v.astype(np.float32)


def touching_pair(grid: int = 40, patch: int = 8, gap: float = 0.3, seed: int = 0, near_depth: float = 0.3,
                  background_depth: float = 0.95, slope: float = 0.05, depth_noise: float = 0.005,
                  random_layout: bool = False) -> Scene:
    """A near object partly occluding a far object (they touch in 2D), ``gap`` apart in depth, on a background.

    The eigenvector is higher on the near object; its bipartition ``v > mean(v)`` covers both objects. With
    ``random_layout`` the sizes and positions are drawn from ``seed``; otherwise the layout is fixed.
    """
    rng = np.random.default_rng(seed)
    size = grid * patch
    shape = (size, size)
    if random_layout:
        r_near = rng.uniform(0.14, 0.22, 2) * size
        r_far = rng.uniform(0.14, 0.22, 2) * size
        c_far = rng.uniform(0.3, 0.7, 2) * size
        angle = rng.uniform(0, 2 * np.pi)
        reach = 0.75 * (r_near.mean() + r_far.mean())  # centres closer than the radii sum: the objects overlap
        c_near = np.clip(c_far + reach * np.array([np.sin(angle), np.cos(angle)]), 0.2 * size, 0.8 * size)
    else:
        r_near, c_near = (0.2 * size, 0.2 * size), (0.55 * size, 0.38 * size)
        r_far, c_far = (0.22 * size, 0.18 * size), (0.45 * size, 0.66 * size)
    far_shape = _disk(shape, tuple(c_far), tuple(r_far))
    near_shape = _disk(shape, tuple(c_near), tuple(r_near))
    labels = np.full(shape, BACKGROUND)
    labels[far_shape] = FAR
    labels[near_shape] = NEAR  # the near object occludes the far one
    ys, xs = np.mgrid[0:size, 0:size] / size
    tilt = slope * (ys + xs) / 2
    depth = np.select([labels == NEAR, labels == FAR],
                      [near_depth + tilt, near_depth + gap + tilt], background_depth)
    depth = np.clip(depth + depth_noise * rng.standard_normal(shape), 0, 1).astype(np.float32)
    v = _eigenvector(labels, patch, rng, near_value=1.0, far_value=0.6, noise=0.05)
    bipartition = v > v.mean()
    image = np.repeat(np.where((labels == BACKGROUND)[..., None], 40, 200).astype(np.uint8), 3, axis=2)
    return Scene(depth=depth, labels=labels, near=_patch_majority(labels, patch, NEAR),
                 far=_patch_majority(labels, patch, FAR),
                 cut=Cut(bipartition=bipartition, eigenvector=v, seed=int(np.argmax(v))), image=image)


def single_object(grid: int = 40, patch: int = 8, seed: int = 0, depth: float = 0.4, slope: float = 0.2,
                  depth_noise: float = 0.005) -> Scene:
    """One object on the background (nothing to separate); ``slope`` tilts it in depth."""
    rng = np.random.default_rng(seed)
    size = grid * patch
    shape = (size, size)
    radii = rng.uniform(0.18, 0.3, 2) * size
    centre = rng.uniform(0.35, 0.65, 2) * size
    labels = np.where(_disk(shape, tuple(centre), tuple(radii)), NEAR, BACKGROUND)
    ys, xs = np.mgrid[0:size, 0:size] / size
    pixel_depth = np.where(labels == NEAR, depth + slope * (ys + xs) / 2, 0.95)
    pixel_depth = np.clip(pixel_depth + depth_noise * rng.standard_normal(shape), 0, 1).astype(np.float32)
    v = _eigenvector(labels, patch, rng, near_value=1.0, far_value=0.6, noise=0.05)
    image = np.repeat(np.where((labels == BACKGROUND)[..., None], 40, 200).astype(np.uint8), 3, axis=2)
    near = _patch_majority(labels, patch, NEAR)
    return Scene(depth=pixel_depth, labels=labels, near=near, far=np.zeros_like(near),
                 cut=Cut(bipartition=v > v.mean(), eigenvector=v, seed=int(np.argmax(v))), image=image)


def iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 1.0
