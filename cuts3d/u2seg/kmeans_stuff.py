"""A weight-free "stuff" source: K-Means of patch features away from things, a stand-in for STEGO.

U2Seg labels stuff with STEGO (a segmentation head trained on DINO features, then clustered into 27 COCO-Stuff
classes); no STEGO weights exist here (``docs/reference.md``, "Offline"). :class:`KMeansStuff` keeps STEGO's last step
only: it clusters the L2-normalised patch features of a registered feature extractor, taken from patches of a
set of images that the things (the pseudo-masks) do not cover, into ``S`` centroids, and labels every patch of an
image with its nearest centroid. Fitting over many images makes a class id mean the same thing in every image, as
STEGO's does; the labels are as good as the features (DINO keys cluster into coarse regions like sky, grass, road).

Stuff-source contract (STUFF_SOURCES): ``num_classes`` (``S``) and ``__call__(image RGB uint8 H x W x 3, meta) ->
int32 H x W`` with classes ``1..S`` and 0 where none; like STEGO it labels every pixel, things included, and the
panoptic merge (U2Seg eq. 5) lets things win.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..registry import FEATURE_EXTRACTORS, STUFF_SOURCES, build_component
from ..utils.mask_ops import upsample_nearest_values
from .kmeans import assign_to_centroids, fit_kmeans
from .mask_embedding import normalized_patches, patch_coverage


@STUFF_SOURCES.register_module()
class KMeansStuff:
    """Stuff classes ``1..S`` from K-Means centroids of patch features outside things.

    Args:
        feature_extractor: a FEATURE_EXTRACTORS config (or a built extractor).
        num_classes: ``S``; 27 as STEGO's COCO-Stuff clustering (U2Seg's stuff ids ``C + 1..C + 27``).
        centroids: path of a saved ``S x D`` ``.npy`` (from an earlier :meth:`fit`), or None to :meth:`fit` first.
        seed: seed of the patch sampling and of the K-Means initial samples.
        iterations: Lloyd iterations.
        patches_per_image: at most this many patches of each image enter the fit (memory stays ``images x
            patches_per_image x D`` floats).
        thing_coverage: patches covered by things for at least this fraction are left out of the fit.
    """

    def __init__(self, feature_extractor: dict | Any, num_classes: int = 27, centroids: str | None = None,
                 seed: int = 0, iterations: int = 50, patches_per_image: int = 256,
                 thing_coverage: float = 0.5) -> None:
        if num_classes < 1:
            raise ValueError(f'num_classes must be >= 1; got {num_classes}')
        if patches_per_image < 1:
            raise ValueError(f'patches_per_image must be >= 1; got {patches_per_image}')
        if not 0 < thing_coverage <= 1:
            raise ValueError(f'thing_coverage must lie in (0, 1]; got {thing_coverage}')
        self.extractor = build_component(feature_extractor, FEATURE_EXTRACTORS)
        self.num_classes = num_classes
        self.seed = seed
        self.iterations = iterations
        self.patches_per_image = patches_per_image
        self.thing_coverage = thing_coverage
        self.centroids = None if centroids is None else self._checked(np.load(centroids))

    def _checked(self, centroids: np.ndarray) -> np.ndarray:
        centroids = np.asarray(centroids, dtype=np.float32)
        if centroids.ndim != 2 or len(centroids) != self.num_classes:
            raise ValueError(f'stuff centroids must be num_classes x D = {self.num_classes} x D; '
                             f'got shape {centroids.shape}')
        return centroids

    def fit(self, samples: Iterable[tuple[np.ndarray, np.ndarray | None]]) -> np.ndarray:
        """Fit the ``S`` centroids on ``(image, things mask or None)`` pairs; returns (and keeps) them.

        Raises:
            ClusteringError: fewer usable patches than ``num_classes``.
        """
        rng = np.random.default_rng(self.seed)
        chosen = []
        for image, things in samples:
            features = self.extractor(image)
            patches = normalized_patches(features)
            if things is not None:
                patches = patches[patch_coverage(things, features.grid).reshape(-1) < self.thing_coverage]
            if len(patches) > self.patches_per_image:
                patches = patches[rng.choice(len(patches), self.patches_per_image, replace=False)]
            chosen.append(patches)
        data = np.concatenate(chosen) if chosen else np.empty((0, 0), np.float32)
        _, centroids = fit_kmeans(data, self.num_classes, seed=self.seed, iterations=self.iterations)
        self.centroids = centroids
        return centroids

    def __call__(self, image: np.ndarray, meta: dict | None = None) -> np.ndarray:
        """Stuff class ``1..S`` of every pixel (nearest centroid of its patch), int32 ``H x W``."""
        if self.centroids is None:
            raise RuntimeError('KMeansStuff has no centroids: call fit() on images first or give centroids=<.npy>')
        features = self.extractor(image)
        labels = assign_to_centroids(normalized_patches(features), self.centroids) + 1
        grid = labels.reshape(features.grid).astype(np.int32)
        return upsample_nearest_values(grid, image.shape[:2])
