"""The NCut eigen-solvers (cuts3d/cutting/eigensolvers.py): reference dense eigh, ARPACK on dense and on pattern
graphs."""
import logging

import numpy as np
import pytest
from scipy.linalg import eigh
from scipy.sparse.linalg import ArpackNoConvergence

from cuts3d.cutting import eigensolvers
from cuts3d.cutting.affinity import affinity_pattern, binarize_affinity, cosine_affinity, degree
from cuts3d.cutting.eigensolvers import dense_second_eigenvector, fast_second_eigenvector, pattern_second_eigenvector
from cuts3d.cutting.pattern_graph import PatternGraph


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


@pytest.fixture
def pattern_graphs():
    """The clustered graph of 150 nodes as a pattern, with 30 claimed nodes, in both claimed modes."""
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1, 2], [80, 45, 25])
    feats = (rng.standard_normal((3, 32))[labels] + 1.2 * rng.standard_normal((150, 32))).astype(np.float32)
    pattern = affinity_pattern(cosine_affinity(feats)).astype(np.float32)
    active = np.ones(150, bool)
    active[40:70] = False
    return {'zero': PatternGraph(pattern, 1e-5, active), 'remove': PatternGraph(pattern, 1e-5, active, active)}


def unit(vector, reference):
    vector = np.asarray(vector, np.float64) / np.linalg.norm(vector)
    return vector * np.sign(vector @ reference)


@pytest.mark.parametrize('dtype, atol', [(np.float32, 1e-5), (np.float64, 1e-12)])
@pytest.mark.parametrize('mode', ['zero', 'remove'])
def test_pattern_solver_gives_the_dense_vector_in_the_patterns_precision(pattern_graphs, mode, dtype, atol):
    graph = pattern_graphs[mode]
    graph = PatternGraph(graph.pattern.astype(dtype), graph.eps, graph.active, graph.nodes)
    affinity, degrees = graph.dense()
    dense = dense_second_eigenvector(affinity, degrees)
    dense /= np.linalg.norm(dense)
    vector, u = pattern_second_eigenvector(graph)
    assert vector.dtype == dtype and vector.shape == (150,)
    np.testing.assert_allclose(unit(vector[graph.nodes], dense), dense, atol=atol)
    np.testing.assert_array_equal(vector[~graph.nodes], 0.0)
    np.testing.assert_allclose(graph.to_vector(u), vector)


def test_pattern_solver_is_deterministic_and_a_warm_start_finds_the_same_vector(pattern_graphs):
    graph = pattern_graphs['zero']
    vector, u = pattern_second_eigenvector(graph)
    again, _ = pattern_second_eigenvector(graph)
    np.testing.assert_array_equal(vector, again)
    warm, _ = pattern_second_eigenvector(graph, start=u + 0.1)
    np.testing.assert_allclose(unit(warm, vector.astype(np.float64)), vector / np.linalg.norm(vector), atol=1e-5)


def test_pattern_solver_retries_then_falls_back_to_dense_with_warnings(pattern_graphs, monkeypatch, caplog):
    graph = pattern_graphs['remove']
    calls = []

    def no_convergence(*args, **kwargs):
        calls.append(kwargs['ncv'])
        raise ArpackNoConvergence('ARPACK error -1: No convergence', np.zeros(0), np.zeros((0, 0)))

    monkeypatch.setattr(eigensolvers, 'eigsh', no_convergence)
    with caplog.at_level(logging.WARNING, logger=eigensolvers.__name__):
        vector, u = pattern_second_eigenvector(graph)
    assert calls == [eigensolvers.PATTERN_NCV, None]
    affinity, degrees = graph.dense()
    np.testing.assert_array_equal(vector[graph.nodes], dense_second_eigenvector(affinity, degrees).astype(np.float32))
    np.testing.assert_array_equal(vector[~graph.nodes], 0.0)
    np.testing.assert_allclose(graph.to_vector(u), vector, rtol=1e-6)
    assert caplog.text.count('ARPACK failed') == 2 and 'falling back to the dense eigh solver' in caplog.text
