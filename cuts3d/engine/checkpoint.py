"""How mmengine unpickles checkpoints: ``weights_only=True``, also for its own files and for URLs.

torch >= 2.6 loads with ``weights_only=True`` by default, and mmengine 0.10.7 (written before that) then fails on
its own checkpoints, whose ``message_hub`` holds :class:`mmengine.logging.HistoryBuffer` objects and numpy arrays.
Rather than switching the safe loader off, :func:`install_checkpoint_policy` keeps ``weights_only=True`` for every
checkpoint mmengine loads and allow-lists exactly the types mmengine itself writes. It also replaces mmengine's
``http(s)://`` loader (torch hub's ``load_url`` with ``weights_only=False``, no completeness check): a URL in a
``Pretrained`` ``init_cfg`` or in ``load_from`` goes through :func:`cuts3d.weights.fetch` (cache under
``$CUTS3D_CACHE``, hash check, truncated downloads refused) and is unpickled the same safe way. Foreign weights
loaded by cuts3d's own components go through :func:`cuts3d.weights.load_foreign_weights`.
"""
from __future__ import annotations

import os
import pickle
from typing import Any

import numpy as np
import torch
from mmengine.dist import barrier, get_dist_info
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader

from ..weights import CheckpointError, fetch, unpickling_reason


def _numpy_globals() -> list[Any]:
    """The numpy callables and types that pickled arrays and scalars reference."""
    core = getattr(np, '_core', None) or np.core
    found = [core.multiarray._reconstruct, core.multiarray.scalar, np.ndarray, np.dtype]
    found += [type(np.dtype(t)) for t in ('f2', 'f4', 'f8', 'i1', 'i2', 'i4', 'i8', 'u1', 'u2', 'u4', 'u8', '?')]
    return found


# HistoryBuffer registers these on its first instance only, so a fresh process that loads before creating one
# would not know them yet.
_DEFAULT_STATISTICS = ('min', 'max', 'current', 'mean')


def _history_buffer_statistic(owner: Any, name: str) -> Any:
    """Stand-in for ``getattr`` in unpickling: a pickled HistoryBuffer refers to its statistics methods as
    ``getattr(HistoryBuffer, 'mean')``. Allow-listing the real ``getattr`` would let a file read any attribute of
    any allowed object; this resolves only those methods."""
    if owner is HistoryBuffer and (name in _DEFAULT_STATISTICS or name in HistoryBuffer._statistics_methods):
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(f'refusing getattr({owner!r}, {name!r}) while loading a checkpoint')


MMENGINE_SAFE_GLOBALS: list[Any] = [HistoryBuffer, *_numpy_globals(),
                                    (_history_buffer_statistic, 'builtins.getattr'),
                                    (_history_buffer_statistic, '__builtin__.getattr')]


def _read_safely(path: str, name: str, map_location: Any) -> Any:
    """``torch.load(weights_only=True)`` with mmengine's own types allowed; unusable files -> CheckpointError."""
    try:
        with torch.serialization.safe_globals(MMENGINE_SAFE_GLOBALS):
            return torch.load(path, map_location=map_location, weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError) as err:
        raise CheckpointError(f'{name} is not a torch checkpoint that loads with weights_only=True: '
                              f'{unpickling_reason(err)}') from err


def _load_from_local_safely(filename: str, map_location: Any = None) -> Any:
    filename = os.path.expanduser(filename)
    if not os.path.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    return _read_safely(filename, filename, map_location)


def _load_from_http_safely(filename: str, map_location: Any = None, model_dir: Any = None) -> Any:
    """mmengine's ``http(s)://`` scheme: a cached, verified download (into ``$CUTS3D_CACHE``; ``model_dir`` is
    ignored). As mmengine's own loader, rank 0 downloads first and the other ranks then read the cache."""
    rank, world_size = get_dist_info()
    if rank == 0:
        ckpt = fetch(filename, lambda path, name: _read_safely(path, name, map_location))
    if world_size > 1:
        barrier()
    if rank > 0:
        ckpt = fetch(filename, lambda path, name: _read_safely(path, name, map_location))
    return ckpt


def install_checkpoint_policy() -> None:
    """Make mmengine load local checkpoints and URLs with ``weights_only=True`` plus its own allow-listed types.

    Idempotent; called when :mod:`cuts3d` is imported, so any config with ``custom_imports`` of cuts3d gets it.
    """
    CheckpointLoader.register_scheme(prefixes='', force=True)(_load_from_local_safely)
    CheckpointLoader.register_scheme(prefixes=('http://', 'https://'), force=True)(_load_from_http_safely)
