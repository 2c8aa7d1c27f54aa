"""Loading the config of a pseudo-label tool (extract, visualize, cluster, panoptic pseudo-labels).

Each tool reads one section of a config file (``pseudo_mask_generator``, ``clustering``, ``panoptic``) after its
``--cfg-options`` are merged (:mod:`cuts3d.utils.config_options`), and stops with one line naming what is wrong:
:class:`ToolConfigError` carries it. The extraction runner's options (the config's ``extraction`` dict) are
checked here too, before any image is read: a ``max_side=-5`` used to fail every image one by one. So is the depth:
a generator with components that need depth (CutS3D's) and no ``depth_source`` is refused, where it used to be run
on a constant depth map that a demo config had set quietly; constant depth must be asked for (``ConstantDepth``),
and then :func:`depth_source_note` says so.
"""
from __future__ import annotations

import numbers
import os
from typing import Any, Optional

from mmengine.config import Config

from ..utils.config_options import ConfigFileError, read_config

__all__ = ['DEPTH_COMPONENTS', 'EXTRACTION_OPTIONS', 'ToolConfigError', 'check_depth_source',
           'depth_source_description', 'depth_source_note', 'extraction_options', 'load_extraction_config',
           'load_tool_config']

# Components that read the depth map (CutContext.depth): a generator naming one needs a depth_source.
DEPTH_COMPONENTS = ('LocalCut', 'SpatialImportance', 'SpatialConfidence')


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
    (:func:`extraction_options`) and the depth source (:func:`check_depth_source`) are checked.
    """
    cfg = load_tool_config(path, options, 'pseudo_mask_generator')
    if depth_dir is not None:
        if not os.path.isdir(depth_dir):
            raise ToolConfigError(f'--depth {depth_dir} is not a folder')
        cfg.pseudo_mask_generator.depth_source = dict(type='FileDepth', root=os.path.abspath(depth_dir))
    extraction_options(cfg)
    check_depth_source(cfg)
    return cfg


def _types(node: Any) -> set[str]:
    """Every ``type`` named in a (nested) config node."""
    if isinstance(node, dict):
        found = {node['type']} if isinstance(node.get('type'), str) else set()
        return found.union(*(_types(value) for value in node.values()))
    if isinstance(node, (list, tuple)):
        return set().union(*(_types(value) for value in node))
    return set()


def check_depth_source(cfg: Config) -> None:
    """ToolConfigError when the generator names a component of :data:`DEPTH_COMPONENTS` but no depth source."""
    generator = cfg.pseudo_mask_generator
    if generator.get('depth_source') is not None:
        return
    users = sorted(set(DEPTH_COMPONENTS) & _types(generator))
    if users:
        raise ToolConfigError(
            f'config {cfg.filename}: {", ".join(users)} need depth, but pseudo_mask_generator.depth_source is None: '
            'pass --depth DIR (depth maps), or set a depth source (a model such as ZoeDepth or DepthAnythingV2, '
            "StereoDepth with right_root=..., or ConstantDepth to run without 3D information on purpose)")


def depth_source_description(cfg: Config) -> str:
    """Which depth the generator uses, in words (``'none (2D only)'``, ``'depth maps from DIR (FileDepth)'``, ...)."""
    source = cfg.pseudo_mask_generator.get('depth_source')
    if source is None:
        return 'none (2D only, as CutLER\'s MaskCut)'
    if not isinstance(source, dict):
        return repr(source)
    kind = source.get('type')
    if kind == 'FileDepth':
        return f'depth maps from {source.get("root")} (FileDepth)'
    if kind == 'StereoDepth':
        return f'stereo matching (SGBM) against the right views in {source.get("right_root")} (StereoDepth)'
    if kind == 'ConstantDepth':
        return (f'ConstantDepth({source.get("value", 0.5)}): one depth everywhere, no 3D information: LocalCut keeps '
                'the whole 2D component and Spatial Importance is flat, so the masks are MaskCut\'s')
    model = source.get('model') or source.get('checkpoint')
    return f'{kind}' + (f' ({model})' if model else '')


def depth_source_note(cfg: Config) -> Optional[str]:
    """A line to print when the depth is a fallback that carries no 3D information (``ConstantDepth``), else None."""
    source = cfg.pseudo_mask_generator.get('depth_source')
    if isinstance(source, dict) and source.get('type') == 'ConstantDepth':
        return f'depth: {depth_source_description(cfg)}'
    return None


def _positive_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 1


def _positive_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and value > 0


def _auto_or(check: Any) -> Any:
    return lambda value: value == 'auto' or check(value)


def _count(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 0


# name -> (check, what a valid value is)
EXTRACTION_OPTIONS = {
    'pipeline': (lambda v: isinstance(v, bool) or v == 'auto', "True, False or 'auto'"),
    'batch_size': (_auto_or(_positive_int), "'auto' or an integer >= 1"),
    'loader_workers': (_auto_or(_count), "'auto' or an integer >= 0"),
    'cut_workers': (_auto_or(_positive_int), "'auto' or an integer >= 1"),
    'max_in_flight': (_auto_or(_positive_int), "'auto' or an integer >= 1"),
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
