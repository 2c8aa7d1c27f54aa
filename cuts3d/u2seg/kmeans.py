"""K-Means of instance embeddings into pseudo classes (U2Seg eq. 3), and assignment of new ones to the centroids."""
from __future__ import annotations

import numpy as np
from scipy.cluster.vq import vq


class ClusteringError(ValueError):
    """Clustering asked for more clusters than there are points, for a non-positive count, or of bad data."""


def _floating(values: np.ndarray) -> np.ndarray:
    """float32 arrays stay float32 (ImageNet-scale embeddings are large), anything else becomes float64."""
    values = np.asarray(values)
    return values if values.dtype in (np.float32, np.float64) else values.astype(np.float64)


def kmeans_plus_plus(data: np.ndarray, count: int, seed: int = 0, max_sample_per_cluster: int = 64) -> np.ndarray:
    """``count`` initial centroids by k-means++ seeding (Arthur & Vassilvitskii, 2007) on a random subsample.

    scikit-learn's :func:`~sklearn.cluster.kmeans_plusplus` (greedy k-means++): each next seed is drawn with
    probability proportional to its squared distance to the nearest seed so far, so seeds spread over the groups
    of the data and never repeat a value (a repeated value has distance 0). Its cost grows with the rows it sees,
    so it runs on at most ``max_sample_per_cluster * count`` rows drawn with ``seed``, which keeps ImageNet-sized
    inputs cheap.

    Raises:
        ClusteringError: when the sample has fewer than ``count`` distinct rows.
    """
    from sklearn.cluster import kmeans_plusplus  # loaded when a clustering runs

    rng = np.random.default_rng(seed)
    size = min(len(data), max_sample_per_cluster * count)
    sample = data[np.sort(rng.choice(len(data), size, replace=False))] if size < len(data) else data
    centers, _ = kmeans_plusplus(sample, count, random_state=seed)
    distinct = len(np.unique(centers, axis=0))
    if distinct < count:
        raise ClusteringError(f'cannot form {count} clusters: the data has only {distinct} distinct points')
    return centers


def fit_kmeans(embeddings: np.ndarray, num_clusters: int, seed: int = 0,
               iterations: int = 50) -> tuple[np.ndarray, np.ndarray]:
    """U2Seg eq. (3): C-way partition of the ``n`` embeddings minimising the within-cluster sum of squares.

    scikit-learn's Lloyd K-Means (:class:`sklearn.cluster.KMeans`) started from ``C`` samples of the data, as
    U2Seg does, chosen by k-means++ seeding with ``seed`` (:func:`kmeans_plus_plus`), so a run is repeatable and
    separated groups are not left sharing a seed (U2Seg says "random samples"; uniform ones often are).
    scikit-learn moves a cluster that empties to a far point; should one still end empty, it keeps its id and its
    last centroid, so every id ``0..C-1`` stays a valid class.

    Args:
        embeddings: ``n x D`` float array, one row per instance.
        num_clusters: ``C``, at most ``n`` (the paper: "partition n instances into C (<= n) clusters").
        seed: seed of the initial samples.
        iterations: at most this many Lloyd iterations (fewer when the centroids stop moving).

    Returns:
        ``(labels, centroids)``: int64 ``n`` cluster ids in ``0..C-1`` and float32 ``C x D`` centroids, each the
        mean of its cluster (:func:`cluster_means`).

    Raises:
        ClusteringError: ``C < 1``, ``C > n``, fewer than ``C`` distinct embeddings, ``iterations < 1``, or
            embeddings that are not a finite 2-D array.
    """
    from sklearn.cluster import KMeans  # loaded when a clustering runs

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
    start = kmeans_plus_plus(data, num_clusters, seed)
    kmeans = KMeans(num_clusters, init=start, n_init=1, max_iter=iterations, random_state=seed)
    labels = kmeans.fit_predict(data)
    return labels.astype(np.int64), cluster_means(data, labels, kmeans.cluster_centers_)


def cluster_means(data: np.ndarray, labels: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """float32 ``C x D`` centroids: each cluster's mean, summed in float64 in row order; an empty cluster keeps its
    row of ``centers``.

    scikit-learn sums its centres over OpenMP threads, so their last bits depend on the thread count; these means
    of the final clusters are the same bytes on any machine that gives the same labels.
    """
    sums = np.zeros(centers.shape, dtype=np.float64)
    np.add.at(sums, labels, data)
    counts = np.bincount(labels, minlength=len(centers))
    means = np.asarray(centers, dtype=np.float64)
    means[counts > 0] = sums[counts > 0] / counts[counts > 0, None]
    return means.astype(np.float32)


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
