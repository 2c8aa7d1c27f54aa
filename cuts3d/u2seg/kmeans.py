"""K-Means of instance embeddings into pseudo classes (U2Seg eq. 3), and assignment of new ones to the centroids."""
from __future__ import annotations

import numpy as np
from scipy.cluster.vq import kmeans2, vq


class ClusteringError(ValueError):
    """Clustering asked for more clusters than there are points, for a non-positive count, or of bad data."""


def _floating(values: np.ndarray) -> np.ndarray:
    """float32 arrays stay float32 (ImageNet-scale embeddings are large), anything else becomes float64."""
    values = np.asarray(values)
    return values if values.dtype in (np.float32, np.float64) else values.astype(np.float64)


def kmeans_plus_plus(data: np.ndarray, count: int, rng: np.random.Generator,
                     max_sample_per_cluster: int = 64) -> np.ndarray:
    """``count`` initial centroids by k-means++ seeding (Arthur & Vassilvitskii, 2007) on a random subsample.

    Each next seed is a sample drawn with probability proportional to its squared distance to the nearest seed so
    far, so seeds spread over the groups of the data and never repeat a value (a repeated value has distance 0).
    The running minimum distance is updated with the new seed only, ``O(count * m * D)`` for ``m`` samples
    (scipy's ``minit='++'`` recomputes all distances each step, ``O(count^2 m D)``); ``m`` is at most
    ``max_sample_per_cluster * count`` rows drawn at random, which keeps ImageNet-sized inputs cheap.

    Raises:
        ClusteringError: when the sample has fewer than ``count`` distinct rows.
    """
    size = min(len(data), max_sample_per_cluster * count)
    sample = data[np.sort(rng.choice(len(data), size, replace=False))] if size < len(data) else data
    chosen = [int(rng.integers(len(sample)))]
    nearest = ((sample - sample[chosen[0]]) ** 2).sum(axis=1, dtype=np.float64)
    while len(chosen) < count:
        total = nearest.sum()
        if total <= 0:
            raise ClusteringError(f'cannot form {count} clusters: the data has only {len(chosen)} distinct points')
        index = min(int(np.searchsorted(np.cumsum(nearest), rng.uniform(0, total), side='right')), len(sample) - 1)
        chosen.append(index)
        nearest = np.minimum(nearest, ((sample - sample[index]) ** 2).sum(axis=1, dtype=np.float64))
    return sample[chosen].copy()


def fit_kmeans(embeddings: np.ndarray, num_clusters: int, seed: int = 0,
               iterations: int = 50) -> tuple[np.ndarray, np.ndarray]:
    """U2Seg eq. (3): C-way partition of the ``n`` embeddings minimising the within-cluster sum of squares.

    Lloyd's algorithm (:func:`scipy.cluster.vq.kmeans2`) started from ``C`` samples of the data, as U2Seg does,
    chosen by k-means++ seeding (:func:`kmeans_plus_plus`) with ``seed``, so a run is repeatable and separated
    groups are not left sharing a seed (U2Seg says "random samples"; uniform ones often are). A cluster that ends
    up empty keeps its last centroid (scipy warns), so every id ``0..C-1`` stays a valid class.

    Args:
        embeddings: ``n x D`` float array, one row per instance.
        num_clusters: ``C``, at most ``n`` (the paper: "partition n instances into C (<= n) clusters").
        seed: seed of the initial samples.
        iterations: Lloyd iterations (scipy runs them all; it has no convergence test).

    Returns:
        ``(labels, centroids)``: int64 ``n`` cluster ids in ``0..C-1`` and float32 ``C x D`` centroids.

    Raises:
        ClusteringError: ``C < 1``, ``C > n``, fewer than ``C`` distinct embeddings, ``iterations < 1``, or
            embeddings that are not a finite 2-D array.
    """
    data = _floating(embeddings)
    if data.ndim != 2 or not np.isfinite(data).all():
        raise ClusteringError(f'embeddings must be a finite n x D array; got shape {data.shape}')
    if num_clusters < 1:
        raise ClusteringError(f'num_clusters must be >= 1; got {num_clusters}')
    if num_clusters > len(data):
        raise ClusteringError(f'cannot form {num_clusters} clusters from {len(data)} points: choose num_clusters '
                              f'<= {len(data)} (U2Seg partitions n instances into C <= n clusters)')
    if iterations < 1:
        raise ClusteringError(f'iterations must be >= 1; got {iterations}')
    start = kmeans_plus_plus(data, num_clusters, np.random.default_rng(seed))
    centroids, labels = kmeans2(data, start, iter=iterations, minit='matrix')
    return labels.astype(np.int64), centroids.astype(np.float32)


def assign_to_centroids(embeddings: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Cluster id (int64, ``0..C-1``) of each row of ``embeddings``: its nearest centroid (Euclidean).

    Raises:
        ClusteringError: when the embedding and centroid dimensions differ.
    """
    data = _floating(embeddings)
    codebook = np.asarray(centroids, dtype=data.dtype)
    if data.ndim != 2 or codebook.ndim != 2 or data.shape[1] != codebook.shape[1]:
        raise ClusteringError(f'embeddings {data.shape} and centroids {codebook.shape} must be n x D and C x D')
    labels, _ = vq(data, codebook)
    return labels.astype(np.int64)
