"""Models from the Hugging Face hub by id (``Intel/zoedepth-nyu-kitti``) or from a local directory.

``transformers`` and ``diffusers`` download hub ids into their own cache (``$HF_HOME``, default
``~/.cache/huggingface``) and read a local directory saved with ``save_pretrained`` (or fetched with
``huggingface_hub.snapshot_download(..., local_dir=DIR)``) as it is. :func:`load_pretrained` tells the two apart and
turns the libraries' multi-paragraph errors (unknown id, no network, ``HF_HUB_OFFLINE=1`` with nothing cached) into
one line that names the id and how to place it by hand.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

from .errors import CheckpointError

T = TypeVar('T')

_PATH_STARTS = ('/', './', '../', '~')


def is_local_model(model: str) -> bool:
    """Whether ``model`` names a local directory: an existing one, or anything spelled as a path (``/``, ``./``,
    ``~``). Everything else is a hub id (``org/name``)."""
    return os.path.isdir(os.path.expanduser(model)) or model.startswith(_PATH_STARTS)


def _placement_hint(model: str) -> str:
    return (f'on a connected machine run python -c "from huggingface_hub import snapshot_download; '
            f"snapshot_download('{model}', local_dir='DIR')\", copy DIR here and set model='DIR' "
            f'(or copy the hub cache into $HF_HOME)')


def load_pretrained(load: Callable[[str], T], model: str, what: str) -> T:
    """``load(model)`` (a ``from_pretrained`` call) for a hub id or a local directory, with one-line errors.

    Raises :class:`CheckpointError` naming ``model`` when a local directory is missing, or when the hub id cannot
    be loaded (unknown id, no network, ``HF_HUB_OFFLINE=1`` and not in the cache), with how to place it by hand.
    """
    if not isinstance(model, str) or not model:
        raise CheckpointError(f'{what}: model must be a Hugging Face hub id or a local directory; got {model!r}')
    if is_local_model(model):
        directory = os.path.expanduser(model)
        if not os.path.isdir(directory):
            raise CheckpointError(f'{what}: model directory not found: {directory}')
        try:
            return load(directory)
        except OSError as error:
            raise CheckpointError(f'{what}: {directory} is not a complete model directory: '
                                  f'{_first_line(error)}') from error
    try:
        return load(model)
    except OSError as error:
        from huggingface_hub import constants

        why = (f'HF_HUB_OFFLINE=1 and it is not in the hub cache {constants.HF_HUB_CACHE}' if constants.HF_HUB_OFFLINE
               else _first_line(error))
        raise CheckpointError(f'{what}: cannot load hub id {model!r} ({why}). Offline: {_placement_hint(model)}') \
            from error


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
