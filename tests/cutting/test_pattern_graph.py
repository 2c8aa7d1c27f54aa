"""The matrix-free binarised graph of one cut (cuts3d/cutting/pattern_graph.py) against dense matrices."""
import numpy as np
import pytest

from cuts3d.cutting.affinity import affinity_pattern, binarize_affinity, cosine_affinity, degree
from cuts3d.cutting.pattern_graph import PatternGraph

EPS = 1e-5


@pytest.fixture
def image():
    """Node features of 60 nodes in two clusters, a claimed set of 15 nodes, and the image's pattern."""
    rng = np.random.default_rng(1)
    feats = (rng.standard_normal((2, 16))[np.repeat([0, 1], [35, 25])] + rng.standard_normal((60, 16))).astype(
        np.float32)
    active = np.ones(60, bool)
    active[rng.choice(60, 15, replace=False)] = False
    return feats, active, affinity_pattern(cosine_affinity(feats)).astype(np.float32)


def maskcut_graph(feats, active):
    """MaskCut's float64 graph of a cut: features of claimed nodes zeroed, cosine, binarised."""
    return binarize_affinity(cosine_affinity(feats * active[:, None]), 0.15, EPS)


def deflated_dense(affinity):
    degrees = degree(affinity)
    normalized = affinity / np.sqrt(np.outer(degrees, degrees))
    trivial = np.sqrt(degrees) / np.linalg.norm(np.sqrt(degrees))
    return normalized - 2.0 * np.outer(trivial, trivial), degrees


def test_masking_the_image_pattern_gives_maskcut_graph_of_the_cut(image):
    feats, active, pattern = image
    affinity, degrees = PatternGraph(pattern, EPS, active).dense()
    np.testing.assert_array_equal(affinity, maskcut_graph(feats, active))
    np.testing.assert_allclose(PatternGraph(pattern, EPS, active).degrees, degrees, rtol=1e-12)


def test_deflated_product_equals_the_dense_operator(image):
    feats, active, pattern = image
    graph = PatternGraph(pattern, EPS, active)
    operator, _ = deflated_dense(maskcut_graph(feats, active))
    block = np.random.default_rng(2).standard_normal((60, 3)).astype(np.float32)
    np.testing.assert_allclose(graph.deflated_matmul(block), operator @ block, atol=2e-6)
    np.testing.assert_allclose(graph.deflated_matmul(block[:, 0]), operator @ block[:, 0], atol=2e-6)


def test_removed_nodes_form_the_subgraph_and_the_rest_is_minus_identity(image):
    feats, active, pattern = image
    graph = PatternGraph(pattern, EPS, active, nodes=active)
    subgraph = binarize_affinity(cosine_affinity(feats)[np.ix_(active, active)], 0.15, EPS)
    affinity, _ = graph.dense()
    np.testing.assert_array_equal(affinity, subgraph)
    operator, degrees = deflated_dense(subgraph)
    np.testing.assert_allclose(graph.degrees[active], degrees, rtol=1e-12)
    vector = np.random.default_rng(3).standard_normal(60).astype(np.float32)
    product = graph.deflated_matmul(vector)
    np.testing.assert_allclose(product[active], operator @ vector[active], atol=2e-6)
    np.testing.assert_array_equal(product[~active], -vector[~active])


def test_the_generalised_eigenvector_is_recovered_from_the_symmetric_one(image):
    feats, active, pattern = image
    graph = PatternGraph(pattern, EPS, active)
    affinity = maskcut_graph(feats, active)
    operator, degrees = deflated_dense(affinity)
    values, vectors = np.linalg.eigh(operator)
    x = graph.to_vector(vectors[:, -1].astype(np.float32)).astype(np.float64)
    laplacian = np.diag(degrees) - affinity
    ratio = (x @ laplacian @ x) / (x @ (degrees * x))
    np.testing.assert_allclose(laplacian @ x, ratio * degrees * x, atol=1e-6)
    np.testing.assert_allclose(ratio, 1.0 - values[-1], rtol=1e-5)


def test_bad_patterns_are_clear_errors(image):
    _, active, pattern = image
    with pytest.raises(ValueError, match='float32 or float64'):
        PatternGraph(pattern.astype(np.float16), EPS, active)
    with pytest.raises(ValueError, match='C-contiguous'):
        PatternGraph(np.asfortranarray(pattern), EPS, active)
    with pytest.raises(ValueError, match='active node must be a node'):
        PatternGraph(pattern, EPS, np.ones(60, bool), nodes=active)
