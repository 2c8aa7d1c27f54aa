"""Per-image stereo calibration from json files beside the pairs (``StereoDepth(calibration='per_image')``).

A folder of rectified pairs often comes with its calibration as a file rather than one number for all: the sample
data ships ``data/samples/real/calibration.json`` with one entry per image (``tools/make_sample_data.py``). For the
right view ``RIGHT_ROOT/<rel dir>/<name>.<ext>`` of the image ``<rel dir>/<name>.<ext>`` the calibration is, in
this order:

1. ``RIGHT_ROOT/<rel dir>/<name>.json``, beside the right view: one calibration;
2. the nearest ``calibration.json`` found walking up from the right view's folder to the folder that holds
   ``RIGHT_ROOT`` (so ``pairs/calibration.json`` serves ``pairs/left/*`` and ``pairs/right/*``). It holds either one
   calibration for every pair below it, or entries keyed by the image's path without suffix (``n01/a``), or by its
   file name without suffix (``a``).

A calibration is a dict with ``focal_length`` and ``doffs`` (pixels) and ``baseline`` (any length unit), other keys
(``source``, ``depth_min_mm``, ...) are ignored. When it also gives ``width`` (and ``height``), the size the numbers
belong to, and the pair has another size of the same aspect, ``focal_length`` and ``doffs`` are scaled by the width
ratio (pixels scale with a resize, the baseline does not); another aspect is an error. Nothing found is an error
naming every file tried: a pair is never matched with another pair's numbers or silently without calibration.
"""
from __future__ import annotations

import json
import os
from typing import Any

from .paths import CompanionNotFoundError

CALIBRATION_FILE = 'calibration.json'
REQUIRED = ('focal_length', 'baseline')
KEYS = ('focal_length', 'baseline', 'doffs')


class CalibrationError(ValueError):
    """A calibration file that cannot be used (not json, missing keys, a size of another aspect)."""


def is_calibration(entry: Any) -> bool:
    """Whether ``entry`` is one calibration (a dict with ``focal_length`` and ``baseline``)."""
    return isinstance(entry, dict) and all(key in entry for key in REQUIRED)


def _read(path: str) -> Any:
    try:
        with open(path, encoding='utf-8') as handle:
            return json.load(handle)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CalibrationError(f'{path}: cannot read the calibration ({type(error).__name__}: {error})') from error


def _checked(entry: dict, where: str) -> dict[str, float]:
    values = {}
    for key in KEYS:
        value = entry.get(key, 0.0 if key == 'doffs' else None)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise CalibrationError(f'{where}: {key} must be a number; got {value!r}')
        values[key] = float(value)
    if values['focal_length'] <= 0 or values['baseline'] <= 0:
        raise CalibrationError(f'{where}: focal_length and baseline must be positive; got {values}')
    for key in ('width', 'height'):
        if key in entry:
            values[key] = entry[key]
    return values


def _folders_up(start: str, stop: str) -> list[str]:
    """``start`` and its parents up to and including ``stop`` (``start`` itself when it is not below ``stop``)."""
    folders, current, stop = [], os.path.abspath(start), os.path.abspath(stop)
    while True:
        folders.append(current)
        parent = os.path.dirname(current)
        if current == stop or parent == current or not current.startswith(stop):
            return folders
        current = parent


def find_calibration(right_path: str, right_root: str, rel_path: str) -> tuple[dict[str, float], str]:
    """The calibration of the pair whose right view is ``right_path`` (under ``right_root``; the image's path
    relative to its root is ``rel_path``), and where it was found (``FILE`` or ``FILE[key]``).

    Raises :class:`CompanionNotFoundError` naming every file tried, :class:`CalibrationError` for a file that
    cannot be used.
    """
    beside = os.path.splitext(right_path)[0] + '.json'
    tried = [beside]
    if os.path.isfile(beside):
        data = _read(beside)
        if not is_calibration(data):
            raise CalibrationError(f'{beside}: expected {{"focal_length": ..., "baseline": ..., "doffs": ...}}')
        return _checked(data, beside), beside
    keys = [os.path.splitext(rel_path)[0].replace(os.sep, '/'), os.path.splitext(os.path.basename(rel_path))[0]]
    for folder in _folders_up(os.path.dirname(right_path), os.path.dirname(os.path.abspath(right_root))):
        path = os.path.join(folder, CALIBRATION_FILE)
        tried.append(path)
        if not os.path.isfile(path):
            continue
        data = _read(path)
        if is_calibration(data):
            return _checked(data, path), path
        if not isinstance(data, dict):
            raise CalibrationError(f'{path}: expected one calibration or entries keyed by image name')
        for key in dict.fromkeys(keys):
            if key in data:
                if not is_calibration(data[key]):
                    raise CalibrationError(f'{path}[{key!r}]: expected focal_length and baseline (and doffs)')
                return _checked(data[key], f'{path}[{key!r}]'), f'{path}[{key!r}]'
        tried[-1] += f' (no entry {" or ".join(repr(k) for k in dict.fromkeys(keys))})'
    raise CompanionNotFoundError(
        f'no stereo calibration for image {rel_path!r}; tried: {", ".join(tried)}. Write one '
        '({"focal_length": F_PX, "baseline": B, "doffs": D_PX}), or use calibration=None (depth = 1 / disparity)')


def scaled_calibration(calibration: dict[str, float], shape: tuple[int, int], where: str) -> dict[str, float]:
    """``focal_length``, ``baseline`` and ``doffs`` for a pair of ``shape`` (H, W): scaled by the width ratio when
    the calibration records another ``width`` (and, if given, ``height``) of the same aspect."""
    values = {key: calibration[key] for key in KEYS}
    width, height = calibration.get('width'), calibration.get('height')
    if width is None or width == shape[1] and height in (None, shape[0]):
        return values
    scale = shape[1] / float(width)
    if height is not None and abs(height * scale - shape[0]) > max(1.0, 0.01 * shape[0]):
        raise CalibrationError(f'{where} is for a {width} x {height} image, but the pair is {shape[1]} x {shape[0]} '
                               '(another aspect ratio: a crop, not a resize)')
    values['focal_length'] *= scale
    values['doffs'] *= scale
    return values
