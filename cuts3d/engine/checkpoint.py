"""The one place that decides how checkpoints are unpickled.

torch >= 2.6 loads with ``weights_only=True`` by default, and mmengine 0.10.7 (written before that) then fails on
its own checkpoints, whose ``message_hub`` holds :class:`mmengine.logging.HistoryBuffer` objects and numpy arrays.
Rather than switching the safe loader off, :func:`install_checkpoint_policy` keeps ``weights_only=True`` for every
local checkpoint mmengine loads and allow-lists exactly the types mmengine itself writes. Foreign weights
(backbones, depth models, DINO/DiffNCuts releases) go through :func:`load_foreign_weights`, also with
``weights_only=True``: a checkpoint downloaded from elsewhere must never be able to run code while it is unpickled,
so one holding arbitrary pickled objects is refused with an explanation.
"""
from __future__ import annotations

import os
import pickle
from typing import Any

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader

from ..utils.torch_file import describe_non_torch_file


class CheckpointError(RuntimeError):
    """A checkpoint that is missing, unreadable or not safe to unpickle."""


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


def _load_from_local_safely(filename: str, map_location: Any = None) -> Any:
    filename = os.path.expanduser(filename)
    if not os.path.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    with torch.serialization.safe_globals(MMENGINE_SAFE_GLOBALS):
        return torch.load(filename, map_location=map_location, weights_only=True)


def install_checkpoint_policy() -> None:
    """Make mmengine load local checkpoints with ``weights_only=True`` plus its own allow-listed types.

    Idempotent; called when :mod:`cuts3d` is imported, so any config with ``custom_imports`` of cuts3d gets it.
    """
    CheckpointLoader.register_scheme(prefixes='', force=True)(_load_from_local_safely)


def load_foreign_weights(path: str, map_location: str = 'cpu') -> dict[str, Any]:
    """Load a third-party checkpoint (tensors and plain containers only) and return its dict.

    Raises :class:`CheckpointError` with the reason when the file is missing, or holds pickled objects that a
    weights-only load refuses (such a file could execute code when unpickled).
    """
    if not os.path.isfile(path):
        raise CheckpointError(f'checkpoint not found: {path}')
    not_torch = describe_non_torch_file(path)
    if not_torch:
        raise CheckpointError(f'{path} {not_torch}')
    try:
        ckpt = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        raise CheckpointError(
            f'{path} holds pickled Python objects, which are refused for foreign weights (unpickling them could '
            f'run arbitrary code). Re-save only its state_dict with torch.save(model.state_dict(), path). '
            f'torch said: {str(err).splitlines()[0]}') from err
    except (RuntimeError, EOFError) as err:
        raise CheckpointError(f'{path} is not a readable torch checkpoint: {err}') from err
    if not isinstance(ckpt, dict):
        raise CheckpointError(f'{path} holds a {type(ckpt).__name__}, expected a dict of tensors')
    return ckpt
