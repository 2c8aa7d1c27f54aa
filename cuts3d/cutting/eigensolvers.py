"""Solvers for NCut's second smallest generalised eigenvector of ``(D - A) x = lambda D x`` (CutS3D section 3.1).

``dense`` is CutLER's reference call; ``fast`` solves the equivalent symmetric problem with ARPACK on a dense
float64 matrix and gives the same vector up to sign and round-off. Both take any dense affinity and return ``x``
normalised so that ``x^T D x = 1``. :func:`pattern_second_eigenvector` is the solver of MaskCut's binarised graph
that :class:`~cuts3d.cutting.ncut.NCutCutter` uses: ARPACK (float32 by default) on the matrix-free
:class:`~cuts3d.cutting.pattern_graph.PatternGraph`, no ``N x N`` float64 matrix at all. The sign of every result
is whatever the solver produced, so callers must not rely on it.
"""
from __future__ import annotations

import logging
from typing import Callable

import numpy as np
from scipy.linalg import eigh
from scipy.sparse.linalg import ArpackError, ArpackNoConvergence, LinearOperator, eigsh

from .pattern_graph import PatternGraph

logger = logging.getLogger(__name__)

# A fixed ARPACK start vector makes the fast solver deterministic (ARPACK otherwise starts from a random vector).
ARPACK_START_SEED = 0
# Lanczos basis size of the matrix-free solver: on 60 x 60 grids of EfficientNet-Lite0 features (20 images, 3 cuts
# each) 8 needed 15 products per cut with warm starts against 21 for ARPACK's default of 20 (docs/performance.md).
PATTERN_NCV = 8


def dense_second_eigenvector(affinity: np.ndarray, degrees: np.ndarray) -> np.ndarray:
    """CutLER's ``second_smallest_eigenvector``: ``scipy.linalg.eigh(D - A, D, subset_by_index=[1, 2])``, column 0.

    The same call on the same matrices as the reference, so it returns the reference's vector bit for bit
    (including the sign LAPACK happens to pick). Cost grows as ``N^3``: 4-6 s for 3600 nodes on one CPU core.
    """
    degree_matrix = np.diag(degrees)
    _, vectors = eigh(degree_matrix - affinity, degree_matrix, subset_by_index=[1, 2])
    return vectors[:, 0]


def fast_second_eigenvector(affinity: np.ndarray, degrees: np.ndarray) -> np.ndarray:
    """The same eigenvector from the two largest eigenpairs of ``M = D^(-1/2) A D^(-1/2)`` (ARPACK ``eigsh``).

    ``(D - A) x = lambda D x`` is equivalent to ``M u = (1 - lambda) u`` with ``x = D^(-1/2) u``, so the second
    smallest generalised eigenvector is ``D^(-1/2)`` times the eigenvector of ``M``'s second largest eigenvalue.
    Rescaling by ``D^(-1/2)`` matters: thresholding ``u`` at its mean gives a different bipartition. The start
    vector is fixed, so repeated calls give the same vector; if ARPACK fails (no convergence, or a breakdown) the
    dense reference solver is used instead and a warning is logged.
    """
    inv_sqrt_degree = 1.0 / np.sqrt(degrees)
    normalized = affinity * inv_sqrt_degree[:, None]
    normalized *= inv_sqrt_degree[None, :]
    start = np.random.default_rng(ARPACK_START_SEED).standard_normal(degrees.size)
    try:
        values, vectors = eigsh(normalized, k=2, which='LA', v0=start)
    except (ArpackNoConvergence, ArpackError) as error:
        logger.warning('ARPACK failed on a %d-node NCut graph (%s); falling back to the dense eigh solver',
                       degrees.size, error)
        return dense_second_eigenvector(affinity, degrees)
    second_largest = int(np.argmin(values))
    return inv_sqrt_degree * vectors[:, second_largest]


def pattern_second_eigenvector(graph: PatternGraph, start: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """NCut's eigenvector of a :class:`PatternGraph` by ARPACK on the deflated operator (matrix-free), in the
    graph's dtype (float32 by default).

    The largest eigenvector ``u`` of ``M - 2 u1 u1^T`` is ``M``'s second (see :mod:`~cuts3d.cutting.pattern_graph`);
    ``x = D^(-1/2) u`` is the same generalised eigenvector :func:`dense_second_eigenvector` returns, up to scale,
    sign and round-off. ``start`` (a previous ``u``, e.g. of the image's previous cut) is ARPACK's start
    vector; without it a fixed random vector is used, so results are deterministic. Returns ``(x, u)``. If ARPACK
    fails (no convergence, or a breakdown) it is run again from the fixed start with ARPACK's default basis, and
    then the dense reference solver is used on the materialised graph, with a warning.
    """
    fixed_start = np.random.default_rng(ARPACK_START_SEED).standard_normal(graph.size).astype(graph.dtype)
    operator = LinearOperator((graph.size, graph.size), matvec=graph.deflated_matmul,
                              matmat=graph.deflated_matmul, dtype=graph.dtype)
    attempts = [(fixed_start if start is None else np.asarray(start, graph.dtype), PATTERN_NCV), (fixed_start, None)]
    for vector, ncv in attempts:
        try:
            _, vectors = eigsh(operator, k=1, which='LA', v0=vector * graph.nodes, ncv=ncv, tol=0)
        except (ArpackNoConvergence, ArpackError) as error:
            logger.warning('ARPACK failed on a %d-node NCut graph (%s)', graph.size, error)
            continue
        return graph.to_vector(vectors[:, 0]), vectors[:, 0]
    logger.warning('falling back to the dense eigh solver on a %d-node NCut graph', graph.size)
    affinity, degrees = graph.dense()
    vector = np.zeros(graph.size, graph.dtype)
    vector[graph.nodes] = dense_second_eigenvector(affinity, degrees)
    return vector, (vector * np.sqrt(graph.degrees)).astype(graph.dtype)


SECOND_EIGENVECTOR_SOLVERS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    'dense': dense_second_eigenvector,
    'fast': fast_second_eigenvector,
}
