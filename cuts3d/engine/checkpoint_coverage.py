"""Does a detector checkpoint fit the model it is about to be loaded into?

mmengine's ``load_checkpoint`` only logs missing and unexpected keys, so ``tools/test.py`` with a checkpoint of
another model evaluated randomly initialised weights and exited 0, and an unreadable file ended in a traceback.
:func:`check_checkpoint_fits` reads the file the way mmengine will (weights-only, with the allow-list of
:mod:`cuts3d.engine.checkpoint`), compares its ``state_dict`` with the model's, and raises
:class:`~cuts3d.engine.checkpoint.CheckpointError` with one line when nothing fits, or when some weights would stay
at their initial values and ``allow_partial`` is False.
"""
from __future__ import annotations

import pickle
from dataclasses import dataclass
from typing import Any

import torch
from mmengine.model import is_model_wrapper
from mmengine.runner.checkpoint import CheckpointLoader

from ..weights.torch_file import describe_non_torch_file
from ..weights import CheckpointError

__all__ = ['CheckpointCoverage', 'check_checkpoint_fits', 'checkpoint_coverage', 'read_state_dict']

_EXAMPLES = 5


@dataclass
class CheckpointCoverage:
    """How a checkpoint's ``state_dict`` covers a model's: matched, missing, wrong-shape and unexpected keys."""

    matched: list[str]
    missing: list[str]
    mismatched: list[str]
    unexpected: list[str]


def read_state_dict(path: str) -> dict[str, Any]:
    """The ``state_dict`` of a checkpoint file (``module.`` prefixes stripped, as mmengine does when loading)."""
    not_torch = describe_non_torch_file(path)
    if not_torch:
        raise CheckpointError(f'checkpoint {path} {not_torch}')
    try:
        ckpt = CheckpointLoader.load_checkpoint(path, map_location='cpu')
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError, KeyError, IndexError, AttributeError,
            OSError) as error:
        text = str(error).strip().splitlines()
        raise CheckpointError(f'checkpoint {path} cannot be read: {type(error).__name__}: '
                              f'{text[0] if text else ""}') from error
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict) or not state:
        raise CheckpointError(f'checkpoint {path} holds no state_dict of weights (got {type(ckpt).__name__})')
    return {key[len('module.'):] if key.startswith('module.') else key: value for key, value in state.items()}


def checkpoint_coverage(model_state: dict[str, Any], ckpt_state: dict[str, Any]) -> CheckpointCoverage:
    """Which model weights a checkpoint provides with the right shape, which it lacks, which it has extra."""
    matched, missing, mismatched = [], [], []
    for key, value in model_state.items():
        if key not in ckpt_state:
            missing.append(key)
        elif not isinstance(ckpt_state[key], torch.Tensor) or ckpt_state[key].shape != value.shape:
            mismatched.append(key)
        else:
            matched.append(key)
    unexpected = [key for key in ckpt_state if key not in model_state]
    return CheckpointCoverage(matched, missing, mismatched, unexpected)


def _examples(keys: list[str]) -> str:
    more = f', ... ({len(keys)} in all)' if len(keys) > _EXAMPLES else ''
    return ', '.join(keys[:_EXAMPLES]) + more


def check_checkpoint_fits(model: torch.nn.Module, path: str, allow_partial: bool = False) -> str | None:
    """Raise CheckpointError unless ``path`` provides every weight of ``model`` (or, with ``allow_partial``, some).

    Returns a note for the log when ``allow_partial`` let missing or wrong-shape weights through, else None.
    """
    if is_model_wrapper(model):
        model = model.module
    model_state = model.state_dict()
    coverage = checkpoint_coverage(model_state, read_state_dict(path))
    if not coverage.matched:
        raise CheckpointError(
            f'checkpoint {path} matches none of the model\'s {len(model_state)} weights (its keys: '
            f'{_examples(coverage.unexpected)}); is it a checkpoint of another model or config?')
    lacking = coverage.missing + coverage.mismatched
    if not lacking:
        return None
    detail = (f'checkpoint {path} lacks {len(coverage.missing)} and has a wrong shape for '
              f'{len(coverage.mismatched)} of the model\'s {len(model_state)} weights ({_examples(lacking)})')
    if not allow_partial:
        raise CheckpointError(f'{detail}; those would keep their initial values: pass --allow-partial to evaluate '
                              'anyway')
    return f'{detail}; evaluating with those at their initial values (--allow-partial)'
