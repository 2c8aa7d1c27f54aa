"""Third-party weights (backbones, DINO/MAE/DiffNCuts releases, detector inits) from a local path or a URL.

Every such file is unpickled with ``weights_only=True``: a checkpoint downloaded from elsewhere must never be able to
run code while it is read, so one holding arbitrary pickled objects is refused with the fix.
"""
from __future__ import annotations

import os
import pickle
import re
from typing import Any

from .cache import is_url
from .download import fetch
from .errors import CheckpointError
from .torch_file import describe_non_torch_file


_UNPICKLER_DETAIL = re.compile(r'WeightsUnpickler error:\s*([^\n]+)')


def unpickling_reason(error: BaseException) -> str:
    """The line of a ``torch.load`` error that says what went wrong (torch's weights-only errors put a generic
    paragraph first and the cause after ``WeightsUnpickler error:``)."""
    text = str(error).strip()
    detail = _UNPICKLER_DETAIL.search(text)
    return detail.group(1).strip() if detail else (text.splitlines()[0] if text else type(error).__name__)


def read_weights_only(path: str, name: str, map_location: Any = 'cpu') -> dict[str, Any]:
    """``torch.load(path, weights_only=True)`` of a dict; ``name`` is what the error messages call the file."""
    import torch

    not_torch = describe_non_torch_file(path)
    if not_torch:
        raise CheckpointError(f'{name} {not_torch}')
    try:
        ckpt = torch.load(path, map_location=map_location, weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError) as err:
        reason = unpickling_reason(err)
        if reason.startswith('Unsupported global'):
            raise CheckpointError(
                f'{name} holds pickled Python objects, which are refused for foreign weights (unpickling them '
                f'could run arbitrary code). Re-save only its state_dict with torch.save(model.state_dict(), path). '
                f'torch said: {reason}') from err
        raise CheckpointError(f'{name} is not a readable torch checkpoint: {reason}') from err
    if not isinstance(ckpt, dict):
        raise CheckpointError(f'{name} holds a {type(ckpt).__name__}, expected a dict of tensors')
    return ckpt


def load_foreign_weights(spec: str, map_location: Any = 'cpu') -> dict[str, Any]:
    """Load a third-party checkpoint (tensors and plain containers only) from a local path or an ``https://`` URL.

    A URL is downloaded once into the cache and verified (:func:`cuts3d.weights.download.fetch`); ``URL#sha256=<hex>``
    pins its hash. Raises :class:`CheckpointError` with the reason when the file is missing, cannot be downloaded,
    is truncated or mismatches its hash, or holds pickled objects that a weights-only load refuses.
    """
    if is_url(spec):
        return fetch(spec, lambda path, name: read_weights_only(path, name, map_location))
    path = os.path.expanduser(os.fspath(spec))
    if not os.path.isfile(path):
        raise CheckpointError(f'checkpoint not found: {path}')
    return read_weights_only(path, path, map_location)
