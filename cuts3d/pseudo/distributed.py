"""Process-group setup for sharded extraction (``--launcher pytorch``, i.e. started by ``torchrun``).

Extraction ranks never exchange tensors: they only meet at barriers (before the shards start, and before rank 0
merges the part files), so the process group always uses ``gloo``, which works with and without GPUs. On a GPU
machine mmengine's :func:`~mmengine.dist.init_dist` also pins each rank to ``cuda:LOCAL_RANK``; on a CPU-only
machine (where mmengine's pytorch launcher would call ``torch.cuda.set_device``) the group is created directly by
``torch.distributed.init_process_group`` from the ``torchrun`` environment (``RANK``, ``WORLD_SIZE``,
``MASTER_ADDR``, ``MASTER_PORT``). Multi-node runs use ``torchrun`` on every node (also under slurm: ``srun
torchrun ...``).
"""
from __future__ import annotations

from datetime import timedelta

import torch
import torch.distributed as dist
from mmengine.dist import init_dist

LAUNCHERS = ('none', 'pytorch')


def init_extraction_dist(launcher: str, timeout_s: float) -> tuple[int, int]:
    """Start the process group for ``launcher`` and return ``(rank, world_size)``; ``'none'`` gives ``(0, 1)``.

    ``timeout_s`` bounds every barrier: ranks finish their shards at different times, so it must exceed the
    spread of shard durations (hours for ImageNet-sized runs).
    """
    if launcher not in LAUNCHERS:
        raise ValueError(f'unknown launcher {launcher!r}; choose one of {LAUNCHERS}')
    if launcher == 'none':
        return 0, 1
    timeout = timedelta(seconds=timeout_s)
    if torch.cuda.is_available():
        init_dist(launcher, backend='gloo', timeout=timeout)
    else:
        dist.init_process_group(backend='gloo', timeout=timeout)
    return dist.get_rank(), dist.get_world_size()


def barrier() -> None:
    """Wait for every rank (no-op without a process group)."""
    if dist.is_available() and dist.is_initialized():
        dist.barrier()


def shutdown_dist() -> None:
    """Destroy the process group if one was started."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()
