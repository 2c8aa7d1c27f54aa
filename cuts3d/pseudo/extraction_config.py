"""Loading the config of a pseudo-label tool (extract, visualize, cluster, panoptic pseudo-labels).

Each tool reads one section of a config file (``pseudo_mask_generator``, ``clustering``, ``panoptic``) after its
``--cfg-options`` are merged, and stops with one line naming what is missing: :class:`ToolConfigError` carries it.
"""
from __future__ import annotations

import os
from typing import Optional

from mmengine.config import Config

__all__ = ['ToolConfigError', 'load_extraction_config', 'load_tool_config']


class ToolConfigError(ValueError):
    """A config a tool cannot use: a missing file, a missing required key, a ``--depth`` that is not a folder."""


def load_tool_config(path: str, options: Optional[dict], required: str) -> Config:
    """``Config.fromfile(path)`` with ``--cfg-options`` merged (``custom_imports`` are imported).

    ``required`` is a dotted key (``'clustering.feature_extractor'``) that must be set and non-empty.
    """
    if not os.path.isfile(path):
        raise ToolConfigError(f'config {path} does not exist')
    cfg = Config.fromfile(path)
    if options:
        cfg.merge_from_dict(options)
    node = cfg
    for key in required.split('.'):
        node = node.get(key)
        if not node:
            raise ToolConfigError(f'config {path} has no {required}')
    return cfg


def load_extraction_config(path: str, options: Optional[dict], depth_dir: Optional[str]) -> Config:
    """The config of a ``pseudo_mask_generator`` with ``--cfg-options`` merged and ``--depth DIR`` applied.

    ``--depth DIR`` replaces the generator's depth source by ``FileDepth(root=DIR)``.
    """
    cfg = load_tool_config(path, options, 'pseudo_mask_generator')
    if depth_dir is not None:
        if not os.path.isdir(depth_dir):
            raise ToolConfigError(f'--depth {depth_dir} is not a folder')
        cfg.pseudo_mask_generator.depth_source = dict(type='FileDepth', root=os.path.abspath(depth_dir))
    return cfg
