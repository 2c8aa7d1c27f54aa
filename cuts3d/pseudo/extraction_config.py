"""Loading the config of a pseudo-label tool (extract, visualize, cluster, panoptic pseudo-labels).

Each tool reads one section of a config file (``pseudo_mask_generator``, ``clustering``, ``panoptic``) after its
``--cfg-options`` are merged (:mod:`cuts3d.utils.config_options`), and stops with one line naming what is wrong:
:class:`ToolConfigError` carries it. The extraction runner's options (the config's ``extraction`` dict) are
checked here too, before any image is read: a ``max_side=-5`` used to fail every image one by one.
"""
from __future__ import annotations

import numbers
import os
from typing import Any, Optional

from mmengine.config import Config

from ..utils.config_options import ConfigFileError, read_config

__all__ = ['EXTRACTION_OPTIONS', 'ToolConfigError', 'extraction_options', 'load_extraction_config',
           'load_tool_config']


class ToolConfigError(ValueError):
    """A config a tool cannot use: a missing file, a missing required key, a ``--depth`` that is not a folder."""


def load_tool_config(path: str, options: Optional[dict], required: str) -> Config:
    """``Config.fromfile(path)`` with ``--cfg-options`` merged (``custom_imports`` are imported).

    ``required`` is a dotted key (``'clustering.feature_extractor'``) that must be set and non-empty.
    """
    try:
        cfg = read_config(path, options)
    except ConfigFileError as error:
        raise ToolConfigError(str(error)) from error
    node: Any = cfg
    for key in required.split('.'):
        node = node.get(key) if isinstance(node, (Config, dict)) else None
        if not node:
            raise ToolConfigError(f'config {path} has no {required}')
    if not isinstance(node, dict):
        raise ToolConfigError(f'config {path}: {required} must be a dict with a "type"; got {node!r}')
    return cfg


def load_extraction_config(path: str, options: Optional[dict], depth_dir: Optional[str]) -> Config:
    """The config of a ``pseudo_mask_generator`` with ``--cfg-options`` merged and ``--depth DIR`` applied.

    ``--depth DIR`` replaces the generator's depth source by ``FileDepth(root=DIR)``. The ``extraction`` options
    are checked (:func:`extraction_options`).
    """
    cfg = load_tool_config(path, options, 'pseudo_mask_generator')
    if depth_dir is not None:
        if not os.path.isdir(depth_dir):
            raise ToolConfigError(f'--depth {depth_dir} is not a folder')
        cfg.pseudo_mask_generator.depth_source = dict(type='FileDepth', root=os.path.abspath(depth_dir))
    extraction_options(cfg)
    return cfg


def _positive_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 1


def _positive_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and value > 0


# name -> (check, what a valid value is)
EXTRACTION_OPTIONS = {
    'sc_levels': (_positive_int, 'an integer >= 1'),
    'min_side': (_positive_int, 'an integer >= 1'),
    'max_side': (lambda v: v is None or _positive_int(v), 'an integer >= 1 or None'),
    'warn_after_failures': (lambda v: v is None or _positive_int(v), 'an integer >= 1 or None'),
    'dist_timeout_s': (_positive_number, 'a number > 0 (seconds)'),
}


def extraction_options(cfg: Config) -> dict[str, Any]:
    """The config's ``extraction`` dict (the runner's options), checked; ToolConfigError names a bad key."""
    options = cfg.get('extraction') or {}
    if not isinstance(options, dict):
        raise ToolConfigError(f'config {cfg.filename}: extraction must be a dict; got {options!r}')
    for key, value in options.items():
        if key not in EXTRACTION_OPTIONS:
            raise ToolConfigError(f'config {cfg.filename}: unknown option extraction.{key}; known: '
                                  f'{", ".join(EXTRACTION_OPTIONS)}')
        check, valid = EXTRACTION_OPTIONS[key]
        if not check(value):
            raise ToolConfigError(f'config {cfg.filename}: extraction.{key} must be {valid}; got {value!r}')
    return dict(options)
