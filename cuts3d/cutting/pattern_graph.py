"""MaskCut's binarised graph of one cut, stored as the image's 0/1 pattern and applied matrix-free (CutS3D sec. 3.1).

MaskCut's graph is ``A_ij = 1`` where the (modified) cosine affinity exceeds ``tau`` and ``eps`` elsewhere, i.e.
``A = eps * 1 1^T + (1 - eps) * P`` for the 0/1 pattern ``P`` (:func:`~cuts3d.cutting.affinity.affinity_pattern`).
Between the cuts of one image only the claimed patches change, and a claimed patch's features are zero, so its
pattern row and column are empty: the graph of every cut is the image's pattern masked by the unclaimed nodes,
``(a a^T) o P``. :class:`PatternGraph` keeps the image's pattern once (float32 by default, 0/1 is exact in it, and
BLAS multiplies it) and applies the masked graph to vectors without forming any ``N x N`` matrix per cut.

NCut's second smallest generalised eigenvector of ``(D - A) x = lambda D x`` is ``x = D^(-1/2) u`` for the second
largest eigenvector ``u`` of ``M = D^(-1/2) A D^(-1/2)``, whose largest eigenpair is known exactly: ``M u1 = u1`` for
``u1 = D^(1/2) 1 / |D^(1/2) 1|``. :meth:`PatternGraph.deflated_matmul` applies ``M - 2 u1 u1^T``, which moves
``u1`` to eigenvalue -1, the bottom of ``M``'s spectrum ``[-1, 1]``, so the wanted vector is the *largest*
eigenvector of the deflated operator, whatever the sign of its eigenvalue.
"""
from __future__ import annotations

import numpy as np
from scipy.linalg import blas

from .affinity import degree

SYMMETRIC_PRODUCTS = {np.dtype(np.float32): blas.ssymv, np.dtype(np.float64): blas.dsymv}


class PatternGraph:
    """``A = eps * n n^T + (1 - eps) * (a a^T) o P`` on the nodes ``n``, for a symmetric 0/1 pattern ``P``.

    Args:
        pattern: float32 (or float64) ``N x N`` 0/1 pattern of the whole image (nothing claimed); products and
            vectors have its dtype.
        eps: weight of the edges outside the pattern (MaskCut: 1e-5).
        active: bool ``N``, nodes whose pattern edges count (the unclaimed patches).
        nodes: bool ``N``, the nodes of the graph. All of them reproduces MaskCut (claimed patches stay in the graph
            with ``eps`` edges only); ``nodes = active`` removes the claimed patches from the graph (CutS3D's
            wording). Outside ``nodes`` the operator is ``-identity`` (eigenvalue -1, never the one a solver
            looks for) and the eigenvector is 0.
    """

    def __init__(self, pattern: np.ndarray, eps: float, active: np.ndarray, nodes: np.ndarray | None = None) -> None:
        active = np.asarray(active, dtype=bool)
        nodes = np.ones_like(active) if nodes is None else np.asarray(nodes, dtype=bool)
        if pattern.dtype not in SYMMETRIC_PRODUCTS or pattern.shape != (active.size, active.size):
            raise ValueError(f'pattern must be float32 or float64 {active.size} x {active.size}, got '
                             f'{pattern.dtype} {pattern.shape}')
        if not pattern.flags.c_contiguous:
            raise ValueError('pattern must be C-contiguous (its transpose is then the Fortran array BLAS reads)')
        if (active & ~nodes).any():
            raise ValueError('every active node must be a node of the graph')
        self.pattern = pattern
        self.dtype = pattern.dtype
        self.eps = float(eps)
        self.active = active
        self.nodes = nodes
        self.active_weight = active.astype(self.dtype)
        # Pattern degrees are integer counts below 2^24, so even the float32 product is exact.
        pattern_degree = self._pattern_matvec(self.active_weight) * self.active_weight
        degrees = self.eps * np.count_nonzero(nodes) + (1.0 - self.eps) * pattern_degree.astype(np.float64)
        self.degrees = np.where(nodes, degrees, 1.0)
        self.inv_sqrt_degree = np.where(nodes, 1.0 / np.sqrt(self.degrees), 0.0).astype(self.dtype)
        trivial = np.where(nodes, np.sqrt(self.degrees), 0.0)
        self.trivial = (trivial / np.linalg.norm(trivial)).astype(self.dtype)
        self._padding = None if nodes.all() else (~nodes).astype(self.dtype)
        self._scaled_active = self.active_weight * self.inv_sqrt_degree

    @property
    def size(self) -> int:
        return self.active.size

    def _pattern_matvec(self, vector: np.ndarray) -> np.ndarray:
        """``P x`` by BLAS ``symv`` on the lower triangle (the triangle the reference's ``eigh`` reads), which
        moves half the bytes of a general matrix-vector product; the C-contiguous pattern's transpose is the
        Fortran array BLAS expects, so nothing is copied."""
        return SYMMETRIC_PRODUCTS[self.dtype](1.0, self.pattern.T, vector, lower=0)

    def deflated_matmul(self, u: np.ndarray) -> np.ndarray:
        """``(M - 2 u1 u1^T) u`` for a vector or ``N x k`` block ``u`` of the graph's dtype (module docstring)."""
        block = u.reshape(self.size, -1)
        isd = self.inv_sqrt_degree[:, None]
        scaled_active = self._scaled_active[:, None]
        out = (self.eps * (isd * block).sum(axis=0)) * isd
        scaled = scaled_active * block
        product = self._pattern_matvec(scaled[:, 0])[:, None] if block.shape[1] == 1 else self.pattern @ scaled
        out += (1.0 - self.eps) * scaled_active * product
        out -= 2.0 * self.trivial[:, None] * (self.trivial @ block)
        if self._padding is not None:
            out -= self._padding[:, None] * block
        return out.reshape(u.shape)

    def to_vector(self, u: np.ndarray) -> np.ndarray:
        """The generalised eigenvector ``x = D^(-1/2) u`` of an eigenvector ``u`` of ``M`` (0 outside the nodes)."""
        return self.inv_sqrt_degree * u

    def dense(self) -> tuple[np.ndarray, np.ndarray]:
        """The float64 affinity and degrees of the graph on its nodes, for the dense reference solver."""
        index = np.flatnonzero(self.nodes)
        edges = (self.pattern[np.ix_(index, index)] > 0) & np.outer(self.active[index], self.active[index])
        affinity = np.where(edges, 1.0, self.eps)
        return affinity, degree(affinity)
