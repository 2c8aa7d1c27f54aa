"""cuts3d/u2seg/kmeans.py: U2Seg eq. (3) K-Means and nearest-centroid assignment."""
import numpy as np
import pytest

from cuts3d.u2seg import ClusteringError, assign_to_centroids, fit_kmeans
from cuts3d.u2seg.kmeans import kmeans_plus_plus


def blobs(seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [5.0, 5.0], [0.0, 8.0]])
    points = np.concatenate([c + 0.2 * rng.standard_normal((20, 2)) for c in centres])
    return points, np.repeat(np.arange(3), 20)


def test_recovers_separated_groups_and_is_repeatable():
    points, truth = blobs()
    labels, centroids = fit_kmeans(points, 3, seed=1)
    assert centroids.shape == (3, 2) and centroids.dtype == np.float32 and labels.dtype == np.int64
    for group in range(3):  # each true group is one cluster, and clusters differ between groups
        assert len(set(labels[truth == group])) == 1
    assert len(set(labels)) == 3
    again, _ = fit_kmeans(points, 3, seed=1)
    assert np.array_equal(labels, again)


def test_assignment_to_centroids_matches_the_fit():
    points, _ = blobs()
    labels, centroids = fit_kmeans(points, 3, seed=0)
    assert np.array_equal(assign_to_centroids(points, centroids), labels)
    with pytest.raises(ClusteringError, match='must be n x D and C x D'):
        assign_to_centroids(points, centroids[:, :1])


def test_bad_requests_raise():
    points, _ = blobs()
    with pytest.raises(ClusteringError, match='cannot form 61 clusters from 60 points'):
        fit_kmeans(points, 61)
    with pytest.raises(ClusteringError, match='>= 1'):
        fit_kmeans(points, 0)
    with pytest.raises(ClusteringError, match='finite'):
        fit_kmeans(np.full((4, 2), np.nan), 2)
    assert fit_kmeans(points, 60)[1].shape == (60, 2)  # C = n is allowed


def test_repeated_points_never_start_two_clusters_on_one_value():
    points = np.concatenate([np.zeros((50, 2)), np.ones((3, 2)), [[5.0, 5.0]]])  # flat regions: many equal rows
    for seed in range(5):
        start = kmeans_plus_plus(points, 3, seed)
        assert len({tuple(row) for row in start}) == 3
        labels, _ = fit_kmeans(points, 3, seed=seed)
        assert sorted(np.bincount(labels)) == [1, 3, 50]
    with pytest.raises(ClusteringError, match='only 3 distinct points'):
        fit_kmeans(points, 4)
