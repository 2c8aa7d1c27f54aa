"""The semantic affinity graph that NCut cuts (CutS3D section 3.1, CutLER's MaskCut ``get_affinity_matrix``).

Each function is one step of MaskCut's graph construction, so a cutter can apply affinity modifiers (e.g. CutS3D's
Spatial Importance) between the cosine affinity and its binarisation. Rows are graph nodes: patch ``i`` of an
``h x w`` grid is node ``i = row * w + col``.
"""
from __future__ import annotations

import numpy as np

# torch.nn.functional.normalize's default: a zero vector stays zero instead of becoming NaN.
NORM_EPS = 1e-12


def l2_normalize(feats: np.ndarray) -> np.ndarray:
    """Scale every row of ``feats`` (``N x C``) to unit L2 norm, as MaskCut's ``F.normalize(feats, p=2)``.

    Rows of zeros (patches whose features were zeroed because an earlier cut claimed them) stay zero, because the
    norm is clamped at ``1e-12`` exactly as torch does; their cosine affinity to every node is then 0.
    """
    norms = np.linalg.norm(feats, axis=1, keepdims=True)
    return feats / np.maximum(norms, NORM_EPS)


def cosine_affinity(feats: np.ndarray) -> np.ndarray:
    """CutS3D section 3.1: ``W_ij = f_i . f_j / (|f_i| |f_j|)`` for node features ``feats`` (``N x C``).

    Computed in float32, as the reference computes its first cut (its later cuts happen to run in float64 because
    its claimed-patch mask is float64); float32 halves the time and memory of this ``N x N x C`` product, the
    largest cost of a fast cut. Returns the dense symmetric ``N x N`` matrix with values in [-1, 1].
    """
    if feats.ndim != 2:
        raise ValueError(f'cosine_affinity expects node features of shape N x C, got shape {feats.shape}')
    unit = l2_normalize(np.asarray(feats, dtype=np.float32))
    return unit @ unit.T


def affinity_pattern(affinity: np.ndarray, tau: float = 0.15) -> np.ndarray:
    """The 0/1 part of MaskCut's graph: True where ``W_ij > tau`` (:func:`binarize_affinity` puts 1 there, ``eps``
    elsewhere), as bool ``N x N``.

    The binarised graph is ``A = eps + (1 - eps) P`` for this pattern ``P``, so a solver can apply ``A`` to a vector
    as ``eps * sum(x) + (1 - eps) * P x`` (:class:`~cuts3d.cutting.pattern_graph.PatternGraph`) without a dense
    float64 matrix; the comparison is the one :func:`binarize_affinity` makes, so both give the same graph.
    """
    return affinity > tau


def binarize_affinity(affinity: np.ndarray, tau: float = 0.15, eps: float = 1e-5) -> np.ndarray:
    """MaskCut's graph: ``A_ij = 1 if W_ij > tau else eps`` (CutLER ``tau = 0.15``, ``eps = 1e-5``).

    ``eps > 0`` keeps the graph connected, so the degree matrix is invertible even for nodes whose features were
    zeroed (their rows become all ``eps``). Returns float64, as the reference's ``np.where`` does.
    """
    return np.where(affinity > tau, 1.0, eps)


def degree(affinity: np.ndarray) -> np.ndarray:
    """The diagonal of NCut's degree matrix: ``d_i = sum_j A_ij`` (CutS3D section 3.1, ``z(i)``)."""
    return np.sum(affinity, axis=1)
