"""NCut eigenvectors of a batch of pattern graphs on a torch device, in one batched LOBPCG (CutS3D sec. 3.1).

The torch twin of :class:`~cuts3d.cutting.pattern_graph.PatternGraph` plus
:func:`~cuts3d.cutting.eigensolvers.pattern_second_eigenvector`, for GPUs: the patterns of ``B`` images (one cut
each) are stacked into ``B x N x N`` and every product of the solver is one batched matmul, so a GPU solves a batch
in the time of one graph. ``torch.lobpcg`` cannot do this: it solves a batch one matrix after another in Python
(``torch/_lobpcg.py``) and has no deflation of the known top eigenvector. The method is Knyazev's LOBPCG
(SIAM J. Sci. Comput. 23(2), 2001) for the largest eigenpairs of the deflated operator, with an orthonormal basis
``[X, R, P]`` from a QR factorisation and its product computed explicitly each iteration (the robust variant of
Hetmaniuk & Lehoucq, J. Comput. Phys. 218, 2006). The same code runs on CPU tensors, which is how it is tested.

A graph whose residual is below :data:`RESIDUAL_TOL`, or has stopped falling near it (float32 round-off), is
frozen, so its result does not depend on which other graphs share its batch.
"""
from __future__ import annotations

import torch

# Stop a graph once |M u - theta u| (u of unit norm) is below this: float32's floor for a 3600-node graph is about
# 1e-6, where ARPACK in float32 stops too. The tolerances are for float32 and scale with the machine epsilon of
# the patterns' dtype (tolerances()).
RESIDUAL_TOL = 1e-6
# Or once its residual is below STALL_TOL and has not improved on its best by STALL_FACTOR for STALL_ITERATIONS
# iterations: round-off (graphs with a small eigenvalue gap stall between 1e-6 and 1e-5 in float32). Far from
# convergence the residual of LOBPCG is not monotone, so a stall there means nothing.
STALL_TOL = 1e-5
STALL_FACTOR = 0.9
STALL_ITERATIONS = 3
MAX_ITERATIONS = 200
# Columns of the block X: the wanted vector plus three more. Eigenvalues of NCut graphs come in clusters (0.0819,
# 0.0806, 0.0781 in one sweep scene); a block spanning the cluster converges where a block of 2 first settles on
# the wrong member of it.
BLOCK_SIZE = 4
START_SEED = 0


class BatchedPatternGraph:
    """``B`` graphs ``A_b = eps * n_b n_b^T + (1 - eps) * (a_b a_b^T) o P_b`` as tensors on one device.

    ``patterns`` float32 (or float64: the solver then works in float64) ``B x N x N`` 0/1; ``active`` and
    ``nodes`` bool ``B x N`` with the meaning of
    :class:`~cuts3d.cutting.pattern_graph.PatternGraph`. The operator is ``M - 2 u1 u1^T`` on the nodes and
    ``-identity`` elsewhere, per graph.
    """

    def __init__(self, patterns: torch.Tensor, eps: float, active: torch.Tensor, nodes: torch.Tensor) -> None:
        if patterns.dim() != 3 or patterns.shape[1:] != (active.shape[1], active.shape[1]):
            raise ValueError(f'patterns must be B x N x N for active of shape B x N; got {tuple(patterns.shape)} '
                             f'and {tuple(active.shape)}')
        if bool((active & ~nodes).any()):
            raise ValueError('every active node must be a node of its graph')
        if patterns.dtype not in (torch.float32, torch.float64):
            raise ValueError(f'patterns must be float32 or float64, got {patterns.dtype}')
        self.patterns = patterns
        self.dtype = patterns.dtype
        self.eps = float(eps)
        self.nodes = nodes
        node_weight = nodes.to(self.dtype)
        active_weight = active.to(self.dtype)
        pattern_degree = (self.patterns @ active_weight.unsqueeze(-1)).squeeze(-1) * active_weight
        node_count = node_weight.sum(dim=1, keepdim=True)
        degrees = self.eps * node_count.double() + (1.0 - self.eps) * pattern_degree.double()
        self.degrees = torch.where(nodes, degrees, torch.ones_like(degrees))
        self.inv_sqrt_degree = (self.degrees.rsqrt() * node_weight).to(self.dtype)
        trivial = self.degrees.sqrt() * node_weight
        self.trivial = (trivial / trivial.norm(dim=1, keepdim=True)).to(self.dtype)
        self.padding = 1.0 - node_weight
        self.scaled_active = active_weight * self.inv_sqrt_degree

    def deflated_matmul(self, block: torch.Tensor) -> torch.Tensor:
        """``(M - 2 u1 u1^T) U`` per graph for a ``B x N x k`` block (``-U`` outside the nodes)."""
        isd = self.inv_sqrt_degree.unsqueeze(-1)
        scaled_active = self.scaled_active.unsqueeze(-1)
        trivial = self.trivial.unsqueeze(-1)
        out = self.eps * (isd * block).sum(dim=1, keepdim=True) * isd
        out = out + (1.0 - self.eps) * scaled_active * (self.patterns @ (scaled_active * block))
        out = out - 2.0 * trivial * (trivial.transpose(1, 2) @ block)
        return out - self.padding.unsqueeze(-1) * block

    def to_vectors(self, u: torch.Tensor) -> torch.Tensor:
        """``x = D^(-1/2) u`` per graph (``B x N``)."""
        return self.inv_sqrt_degree * u


def tolerances(dtype: torch.dtype) -> tuple[float, float]:
    """``(RESIDUAL_TOL, STALL_TOL)`` for ``dtype``: the float32 values scaled by its machine epsilon."""
    scale = torch.finfo(dtype).eps / torch.finfo(torch.float32).eps
    return RESIDUAL_TOL * scale, STALL_TOL * scale


def _rayleigh_ritz(basis: torch.Tensor, product: torch.Tensor, columns: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Coefficients of the ``columns`` largest Ritz vectors of an orthonormal ``basis`` (and their Ritz values)."""
    gram = basis.transpose(1, 2) @ product
    values, vectors = torch.linalg.eigh((gram + gram.transpose(1, 2)) / 2)
    return values.flip(-1)[:, :columns], vectors.flip(-1)[:, :, :columns]


def batched_second_eigenvectors(graph: BatchedPatternGraph, start: torch.Tensor | None = None
                                ) -> tuple[torch.Tensor, torch.Tensor]:
    """NCut's eigenvector of every graph of ``graph``: the largest eigenvector ``u`` of its deflated operator.

    ``start`` (``B x N x k``, e.g. each image's final block of its previous cut, whose later columns approximate
    the vectors the next cut looks for) seeds the block; without it the block comes from a fixed random generator,
    so results are deterministic. Returns ``(x, block)``: ``x = D^(-1/2) u`` (``B x N``, sign arbitrary)
    and the final ``B x N x BLOCK_SIZE`` block, whose first column is ``u``. A graph that does not converge within
    :data:`MAX_ITERATIONS` raises ``RuntimeError``.
    """
    patterns = graph.patterns
    batch, size = patterns.shape[0], patterns.shape[1]
    generator = torch.Generator(device=patterns.device).manual_seed(START_SEED)
    # One random block for every graph, so a graph's start does not depend on its place in the batch.
    block = torch.randn(size, BLOCK_SIZE, generator=generator, device=patterns.device, dtype=graph.dtype)
    block = block.expand(batch, size, BLOCK_SIZE).clone()
    if start is not None:
        block[:, :, :start.shape[2]] = start.to(block)
    nodes = graph.nodes.unsqueeze(-1).to(graph.dtype)
    residual_tol, stall_tol = tolerances(graph.dtype)
    block, _ = torch.linalg.qr(block * nodes)
    product = graph.deflated_matmul(block)
    _, coefficients = _rayleigh_ritz(block, product, BLOCK_SIZE)
    block, product = block @ coefficients, product @ coefficients
    direction = None
    best = torch.full((batch,), float('inf'), device=patterns.device)
    stalled = torch.zeros(batch, dtype=torch.long, device=patterns.device)
    done = torch.zeros(batch, dtype=torch.bool, device=patterns.device)
    for _ in range(MAX_ITERATIONS):
        values = (block * product).sum(dim=1)
        residual = product - block * values.unsqueeze(1)
        norm = residual[:, :, 0].norm(dim=1)
        stalled = torch.where(norm < STALL_FACTOR * best, torch.zeros_like(stalled), stalled + 1)
        best = torch.minimum(best, norm)
        done |= (norm < residual_tol) | ((norm < stall_tol) & (stalled >= STALL_ITERATIONS))
        if bool(done.all()):
            return graph.to_vectors(block[:, :, 0]), block
        parts = [block, residual * nodes] + ([] if direction is None else [direction])
        basis, _ = torch.linalg.qr(torch.cat(parts, dim=2))
        basis_product = graph.deflated_matmul(basis)
        _, coefficients = _rayleigh_ritz(basis, basis_product, BLOCK_SIZE)
        new_block = basis @ coefficients
        new_direction = new_block - block @ (block.transpose(1, 2) @ new_block)
        new_direction = new_direction / new_direction.norm(dim=1, keepdim=True).clamp_min(1e-30)
        keep = done.view(batch, 1, 1)
        block = torch.where(keep, block, new_block)
        product = torch.where(keep, product, basis_product @ coefficients)
        direction = new_direction if direction is None else torch.where(keep, direction, new_direction)
    raise RuntimeError(f'batched LOBPCG did not converge in {MAX_ITERATIONS} iterations on '
                       f'{int((~done).sum())} of {batch} NCut graphs of {size} nodes')
