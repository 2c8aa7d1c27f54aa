"""Base of this project's mmdet-style losses: a ``loss_weight`` factor and a ``reduction`` checked on construction."""
from __future__ import annotations

from torch import nn


class BaseLoss(nn.Module):
    """A loss module with mmdet's ``loss_weight`` and ``reduction`` arguments (as ``CrossEntropyLoss`` has them).

    Args:
        loss_weight: factor on the loss.
        reduction: 'mean', 'sum' or 'none'; a call's ``reduction_override`` takes precedence.

    Raises:
        ValueError: an unknown reduction.
    """

    def __init__(self, loss_weight: float = 1.0, reduction: str = 'mean') -> None:
        super().__init__()
        if reduction not in ('mean', 'sum', 'none'):
            raise ValueError(f"reduction must be 'mean', 'sum' or 'none'; got {reduction!r}")
        self.loss_weight = loss_weight
        self.reduction = reduction
