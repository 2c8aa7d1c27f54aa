"""``--cfg-options KEY=VALUE ...`` parsing, merging, and config-file reading with errors that name the file and line.

mmengine's ``DictAction`` splits every value at commas and strips its spaces, so the dict value the README shows
(``"pseudo_mask_generator.depth_source={'type':'StereoDepth','right_root':'DIR'}"``) became a list of two strings
and every image then failed with ``'list' object is not callable``; an item without ``=`` raised a traceback from
inside argparse. :class:`ConfigOptionsAction` parses values the same way mmengine does (``1``, ``1.5``, ``true``,
``None``, ``a,b``, ``[a,b]``, ``(96,96)``, nested brackets) and adds:

* a value starting with ``{`` is a Python dict literal (``ast.literal_eval``); it is merged into the config's dict
  like a ``_base_`` override, so ``'_delete_':True`` replaces the dict instead (mmengine's rule), and a dict set
  where the config holds None (e.g. CutLER's ``depth_source=None``) replaces the None;
* a value without brackets or commas keeps its spaces (``data_root=/data/my images/``);
* a malformed item (no ``=``, empty key, a dict that does not parse) is an argparse usage error: one line, exit 2.

:func:`read_config` is ``Config.fromfile`` plus the options; a syntax error names the file (also a ``_base_``
file) and the line, where mmengine reports ``<unknown>``.
"""
from __future__ import annotations

import argparse
import ast
import copy
import os
from collections.abc import Sequence
from typing import Any

from mmengine.config import Config, DictAction

__all__ = ['ConfigFileError', 'ConfigOptionsAction', 'dict_merge_hint', 'merge_cfg_options', 'parse_option_value',
           'read_config']

DELETE_KEY = '_delete_'


class ConfigFileError(ValueError):
    """A config file that cannot be read (missing, bad syntax, failed import, options that do not fit it)."""


def parse_option_value(text: str) -> Any:
    """The value of one ``KEY=VALUE`` item (see the module docstring); raises ValueError for a bad dict literal."""
    stripped = text.strip()
    if stripped.startswith('{'):
        try:
            value = ast.literal_eval(stripped)
        except (ValueError, SyntaxError) as error:
            raise ValueError(f'{text!r} is not a Python dict literal ({type(error).__name__}: {error}); write it '
                             "like {'type':'FileDepth','root':'DIR'}") from error
        if not isinstance(value, dict):
            raise ValueError(f'{text!r} is not a dict')
        return value
    if not any(char in stripped for char in ',[]()'):
        return DictAction._parse_int_float_bool(stripped)
    return DictAction._parse_iterable(stripped)


class ConfigOptionsAction(argparse.Action):
    """argparse action for ``--cfg-options KEY=VALUE ...`` (``nargs='+'``): a dict of dotted keys to values."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: str | Sequence[str] | None, option_string: str | None = None) -> None:
        options = dict(getattr(namespace, self.dest, None) or {})
        for item in [values] if isinstance(values, str) else values or []:
            key, sep, text = item.partition('=')
            if not sep or not key.strip():
                parser.error(f'{option_string}: {item!r} is not KEY=VALUE (e.g. extraction.max_side=1024)')
            try:
                options[key.strip()] = parse_option_value(text)
            except (ValueError, AssertionError) as error:
                parser.error(f'{option_string} {key.strip()}: {error}')
        setattr(namespace, self.dest, options)


_MISSING = object()


def _node(cfg: Config, dotted: str) -> Any:
    """The config value at a dotted key, or ``_MISSING`` when a part of the path is missing or not a dict."""
    node: Any = cfg
    for part in dotted.split('.'):
        if not isinstance(node, (Config, dict)) or part not in node:
            return _MISSING
        node = node[part]
    return node


def merge_cfg_options(cfg: Config, options: dict[str, Any] | None) -> None:
    """Merge parsed ``--cfg-options`` into ``cfg`` (mmengine's ``merge_from_dict``; dicts where None was, replace).

    Raises :class:`ConfigFileError` when an option does not fit the config (e.g. a list index out of range).
    """
    if not options:
        return
    merged = {}
    for key, value in options.items():
        current = _node(cfg, key)
        if isinstance(value, dict) and current is not _MISSING and not isinstance(current, dict):
            value = {**value, DELETE_KEY: True}  # a None (or a scalar) to merge into: the dict replaces it
        merged[key] = copy.deepcopy(value)  # mmengine pops '_delete_' from what it merges
    try:
        cfg.merge_from_dict(merged)
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise ConfigFileError(f'--cfg-options do not fit {cfg.filename}: {type(error).__name__}: {error}') from error


def dict_merge_hint(options: dict[str, Any] | None, message: str) -> str:
    """A hint to append to a build error caused by a ``--cfg-options`` dict merged into the config's dict.

    ``depth_source={'type':'StereoDepth',...}`` over ``FileDepth(root=...)`` keeps ``root`` and StereoDepth then
    gets an unexpected keyword argument; ``'_delete_':True`` replaces the dict.
    """
    merged = [key for key, value in (options or {}).items() if isinstance(value, dict) and DELETE_KEY not in value]
    if not merged or 'unexpected keyword argument' not in message:
        return ''
    return (f" (a dict in --cfg-options is merged into the config's dict; to replace {merged[0]} instead, start the "
            "dict with '_delete_':True)")


def _base_files(path: str, tree: ast.Module) -> list[str]:
    """The ``_base_`` files a parsed config names (string or list of strings), relative to its folder."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == '_base_' for t in node.targets):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return []
            names = [value] if isinstance(value, str) else list(value) if isinstance(value, (list, tuple)) else []
            return [os.path.join(os.path.dirname(path), name) for name in names if isinstance(name, str)]
    return []


def locate_syntax_error(path: str, seen: frozenset[str] = frozenset()) -> str | None:
    """``'FILE:LINE: message'`` for the first syntax error in a Python config or its ``_base_`` files, or None."""
    path = os.path.abspath(path)
    if path in seen or not path.endswith('.py') or not os.path.isfile(path):
        return None
    with open(path, encoding='utf-8') as handle:
        source = handle.read()
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as error:
        return f'{path}:{error.lineno}: syntax error: {error.msg}'
    for base in _base_files(path, tree):
        found = locate_syntax_error(base, seen | {path})
        if found:
            return found
    return None


def read_config(path: str, options: dict[str, Any] | None = None) -> Config:
    """``Config.fromfile(path)`` (``custom_imports`` imported) with ``--cfg-options`` merged.

    Every failure is a :class:`ConfigFileError` with one line naming the file: missing file, syntax error (file
    and line, also in a ``_base_`` file), failed ``custom_imports``, a missing ``_base_``, options that do not fit.
    """
    if not os.path.isfile(path):
        raise ConfigFileError(f'config file not found: {path}')
    try:
        cfg = Config.fromfile(path)
    except SyntaxError as error:
        raise ConfigFileError(locate_syntax_error(path) or f'{path}: syntax error: {error.msg}') from error
    except ImportError as error:
        raise ConfigFileError(f'{path}: custom_imports failed: {str(error).splitlines()[0]}'
                              f'{_import_cause(error)}') from error
    except (OSError, KeyError, TypeError, ValueError, AttributeError, NameError, AssertionError) as error:
        text = str(error).strip().splitlines()
        raise ConfigFileError(f'{path}: {type(error).__name__}: {text[0] if text else ""}') from error
    merge_cfg_options(cfg, options)
    return cfg


def _import_cause(error: ImportError) -> str:
    """`` (No module named 'x')`` when mmengine wrapped the real ImportError, else nothing."""
    cause = error.__cause__
    return f' ({cause})' if cause is not None else ''
