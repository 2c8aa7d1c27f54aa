"""The NCut eigen-solvers (cuts3d/cutting/eigensolvers.py): reference dense eigh and fast ARPACK."""
import logging

import numpy as np
import pytest
from scipy.linalg import eigh
from scipy.sparse.linalg import ArpackNoConvergence

from cuts3d.cutting import eigensolvers
from cuts3d.cutting.affinity import binarize_affinity, cosine_affinity, degree
from cuts3d.cutting.eigensolvers import dense_second_eigenvector, fast_second_eigenvector


@pytest.fixture
def graph():
    """A binarised affinity graph of 150 nodes in three clusters of different sizes, plus its degrees."""
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1, 2], [80, 45, 25])
    feats = rng.standard_normal((3, 32))[labels] + 1.2 * rng.standard_normal((150, 32))
    affinity = binarize_affinity(cosine_affinity(feats))
    return affinity, degree(affinity)


def test_dense_solver_returns_the_second_smallest_generalised_eigenvector(graph):
    affinity, degrees = graph
    laplacian, degree_matrix = np.diag(degrees) - affinity, np.diag(degrees)
    vector = dense_second_eigenvector(affinity, degrees)
    value = vector @ laplacian @ vector
    np.testing.assert_allclose(vector @ degree_matrix @ vector, 1.0)
    np.testing.assert_allclose(laplacian @ vector, value * degree_matrix @ vector, atol=1e-10)
    np.testing.assert_allclose(value, eigh(laplacian, degree_matrix, eigvals_only=True)[1])


def test_fast_solver_gives_the_dense_vector_up_to_sign(graph):
    affinity, degrees = graph
    dense = dense_second_eigenvector(affinity, degrees)
    fast = fast_second_eigenvector(affinity, degrees)
    np.testing.assert_allclose(fast * np.sign(fast @ dense), dense, atol=1e-9)


def test_fast_solver_is_deterministic(graph):
    affinity, degrees = graph
    np.testing.assert_array_equal(fast_second_eigenvector(affinity, degrees),
                                  fast_second_eigenvector(affinity, degrees))


def test_fast_solver_falls_back_to_dense_with_a_warning(graph, monkeypatch, caplog):
    affinity, degrees = graph

    def no_convergence(*args, **kwargs):
        raise ArpackNoConvergence('ARPACK error -1: No convergence', np.zeros(0), np.zeros((0, 0)))

    monkeypatch.setattr(eigensolvers, 'eigsh', no_convergence)
    with caplog.at_level(logging.WARNING, logger=eigensolvers.__name__):
        vector = fast_second_eigenvector(affinity, degrees)
    np.testing.assert_array_equal(vector, dense_second_eigenvector(affinity, degrees))
    assert 'falling back to the dense eigh solver' in caplog.text
