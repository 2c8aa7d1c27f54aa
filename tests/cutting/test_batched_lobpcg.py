"""The batched torch LOBPCG (cuts3d/cutting/batched_lobpcg.py), on CPU tensors: the code path a GPU runs."""
import numpy as np
import pytest
import torch

from cuts3d.cutting import batched_lobpcg
from cuts3d.cutting.affinity import affinity_pattern, cosine_affinity
from cuts3d.cutting.batched_lobpcg import BatchedPatternGraph, batched_second_eigenvectors
from cuts3d.cutting.eigensolvers import dense_second_eigenvector
from cuts3d.cutting.pattern_graph import PatternGraph

EPS = 1e-5


def clustered_pattern(seed: int, sizes=(70, 50, 30)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(len(sizes)), sizes)
    feats = rng.standard_normal((len(sizes), 32))[labels] + 1.2 * rng.standard_normal((labels.size, 32))
    return affinity_pattern(cosine_affinity(feats.astype(np.float32))).astype(np.float32)


@pytest.fixture
def batch():
    """Three graphs of 150 nodes: nothing claimed, 30 claimed nodes zeroed, 40 claimed nodes removed."""
    patterns = [clustered_pattern(seed) for seed in range(3)]
    active = np.ones((3, 150), bool)
    active[1, 10:40] = False
    active[2, 100:140] = False
    nodes = np.ones((3, 150), bool)
    nodes[2] = active[2]
    return patterns, active, nodes


def batched(patterns, active, nodes):
    return BatchedPatternGraph(torch.from_numpy(np.stack(patterns)), EPS, torch.from_numpy(active),
                               torch.from_numpy(nodes))


@pytest.mark.parametrize('dtype, atol', [(np.float32, 1e-5), (np.float64, 1e-12)])
def test_every_graph_of_a_batch_gets_its_dense_eigenvector(batch, dtype, atol):
    patterns, active, nodes = batch
    vectors, block = batched_second_eigenvectors(batched([p.astype(dtype) for p in patterns], active, nodes))
    assert vectors.dtype == torch.from_numpy(patterns[0].astype(dtype)).dtype and vectors.shape == (3, 150)
    assert block.shape == (3, 150, batched_lobpcg.BLOCK_SIZE)
    for row in range(3):
        graph = PatternGraph(patterns[row], EPS, active[row], nodes[row])
        affinity, degrees = graph.dense()
        # Compare D^(1/2) x, the unit eigenvector the solver iterates on (float32 resolves it to ~1e-6).
        dense = np.sqrt(degrees) * dense_second_eigenvector(affinity, degrees)
        got = np.sqrt(degrees) * vectors[row].double().numpy()[nodes[row]]
        got *= np.sign(got @ dense) * np.linalg.norm(dense) / np.linalg.norm(got)
        np.testing.assert_allclose(got, dense, atol=atol)
        np.testing.assert_array_equal(vectors[row].numpy()[~nodes[row]], 0.0)


def test_a_graph_gets_the_same_result_alone_and_in_a_batch(batch):
    patterns, active, nodes = batch
    together, _ = batched_second_eigenvectors(batched(patterns, active, nodes))
    for row in range(3):
        alone, _ = batched_second_eigenvectors(batched(patterns[row:row + 1], active[row:row + 1],
                                                       nodes[row:row + 1]))
        np.testing.assert_array_equal(alone[0].numpy(), together[row].numpy())


def test_a_warm_start_from_the_final_block_converges_to_the_same_vector(batch):
    patterns, active, nodes = batch
    graph = batched(patterns, active, nodes)
    cold, block = batched_second_eigenvectors(graph)
    warm, _ = batched_second_eigenvectors(graph, start=block)
    cosine = (cold * warm).sum(dim=1) / (cold.norm(dim=1) * warm.norm(dim=1))
    np.testing.assert_allclose(cosine.abs().numpy(), 1.0, atol=1e-6)


def test_no_convergence_is_an_error(batch, monkeypatch):
    patterns, active, nodes = batch
    monkeypatch.setattr(batched_lobpcg, 'MAX_ITERATIONS', 1)
    with pytest.raises(RuntimeError, match='did not converge in 1 iterations on 3 of 3 NCut graphs of 150 nodes'):
        batched_second_eigenvectors(batched(patterns, active, nodes))


def test_bad_batches_are_clear_errors(batch):
    patterns, active, nodes = batch
    with pytest.raises(ValueError, match='B x N x N'):
        batched(patterns, active[:, :100], nodes[:, :100])
    with pytest.raises(ValueError, match='active node must be a node'):
        batched(patterns, np.ones((3, 150), bool), nodes)
    with pytest.raises(ValueError, match='float32 or float64'):
        batched([p.astype(np.float16) for p in patterns], active, nodes)
