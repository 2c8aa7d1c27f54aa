"""Check a COCO instances json (ground truth, predictions, pseudo-masks) before anything evaluates or trains on it.

pycocotools trusts its input: an annotation whose ``image_id`` is unknown is silently dropped, a NaN score sorts
anywhere, an RLE whose ``size`` is not its image's is compared pixel by pixel with the wrong grid, and garbage
``counts`` are decoded past the end of the mask buffer (its C decoder has no bounds check). Each of these changed
metrics while the tools exited 0. :func:`validate_coco` checks the whole file and raises :class:`CocoFileError`
with one line naming the file, the annotation and the problem, e.g. ``gt.json: annotation 17 (image 3): bbox
[10, 5, -4, 8] has a negative width or height``.

Compressed RLE counts are decoded in numpy (the LEB128-like code of pycocotools' ``rleFrString``) to check that
the runs are non-negative and cover exactly ``height x width`` pixels, without decoding any mask.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = ['CocoFileError', 'rle_run_lengths', 'validate_coco']


class CocoFileError(ValueError):
    """A COCO json that is not valid; the message names the file, the entry and the problem."""


def rle_run_lengths(counts: str | bytes) -> np.ndarray:
    """The run lengths of a compressed COCO RLE ``counts`` string (pycocotools' ``rleFrString``, vectorised).

    Each run is a group of characters ``c - 48``: 5 payload bits each, bit 0x20 set on all but the group's last;
    bit 0x10 of the last one is the sign. From the third run on, a run is stored as the difference to the run two
    before it. Raises ValueError on characters outside the code or a truncated last group.
    """
    data = np.frombuffer(counts.encode('ascii') if isinstance(counts, str) else bytes(counts), np.uint8)
    if data.size == 0:
        return np.zeros(0, np.int64)
    code = data.astype(np.int64) - 48
    if code.min() < 0 or code.max() > 63:
        raise ValueError('counts holds characters outside the RLE code')
    more = (code & 0x20) != 0
    if more[-1]:
        raise ValueError('counts ends in the middle of a run')
    group_end = ~more
    group = np.concatenate([[0], np.cumsum(group_end)[:-1]])
    starts = np.flatnonzero(np.concatenate([[True], group_end[:-1]]))
    position = np.arange(len(code)) - starts[group]
    if position.max() > 11:
        raise ValueError('counts holds a run longer than 64 bits')
    values = np.add.reduceat((code & 0x1f) << (5 * position), starts)
    lengths = np.diff(np.append(starts, len(code)))
    negative = (code[group_end] & 0x10) != 0
    values = np.where(negative, values - (1 << (5 * lengths)), values)
    runs = values.copy()
    runs[1::2] = np.cumsum(values[1::2])
    runs[2::2] = np.cumsum(values[2::2])
    return runs


def _finite(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _int_id(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _rle_problem(rle: Any, size: tuple[int, int]) -> str | None:
    """What is wrong with an RLE of a mask on an image of ``size = (height, width)``, or None."""
    if not isinstance(rle, dict) or 'size' not in rle or 'counts' not in rle:
        return 'segmentation is neither a polygon list nor an RLE {"size", "counts"}'
    if list(rle['size']) != list(size):
        swapped = ' (width and height of the image entry swapped, as in CutLER\'s files?)' \
            if list(rle['size']) == list(size)[::-1] else ''
        return f'RLE size {list(rle["size"])} is not its image\'s [height, width] {list(size)}{swapped}'
    counts = rle['counts']
    if isinstance(counts, list):
        if not all(_int_id(c) and c >= 0 for c in counts):
            return 'uncompressed RLE counts must be non-negative integers'
        runs = np.asarray(counts, np.int64)
    else:
        try:
            runs = rle_run_lengths(counts)
        except (ValueError, UnicodeError, TypeError) as error:
            return f'RLE counts cannot be decoded ({error})'
    if (runs < 0).any():
        return 'RLE counts decode to a negative run'
    if int(runs.sum()) != size[0] * size[1]:
        return f'RLE counts cover {int(runs.sum())} pixels, not {size[0]} x {size[1]}'
    return None


def _polygon_problem(polygons: list) -> str | None:
    for polygon in polygons:
        if not isinstance(polygon, list) or len(polygon) < 6 or len(polygon) % 2:
            return 'a polygon must be a flat list of at least 3 x, y pairs'
        if not all(_finite(v) for v in polygon):
            return 'a polygon holds a value that is not a finite number'
    return None


def _spatial_confidence_problem(sc: Any, size: tuple[int, int]) -> str | None:
    """Structure and sizes of a ``spatial_confidence`` entry (its counts come from the same writer as the mask)."""
    rles = sc.get('rles') if isinstance(sc, dict) else None
    if not isinstance(rles, list) or not _int_id(sc.get('levels')) or len(rles) != sc['levels']:
        return 'spatial_confidence must be {"levels": T, "rles": [T RLEs]}'
    for rle in rles:
        if not isinstance(rle, dict) or list(rle.get('size', ())) != list(size) or 'counts' not in rle:
            return f'spatial_confidence holds an RLE that is not of its image\'s size {list(size)}'
    return None


def _annotation_problem(ann: dict, size: tuple[int, int], required: tuple[str, ...]) -> str | None:
    absent = [key for key in required if key not in ann]
    if absent:
        return f'has no {absent[0]}'
    bbox = ann.get('bbox')
    if bbox is not None:
        if not isinstance(bbox, list) or len(bbox) != 4 or not all(_finite(v) for v in bbox):
            return f'bbox {bbox!r} is not 4 finite numbers [x, y, width, height]'
        if bbox[2] < 0 or bbox[3] < 0:
            return f'bbox {bbox} has a negative width or height'
        if bbox[0] < 0 or bbox[1] < 0:
            return f'bbox {bbox} starts outside the image (negative x or y)'
    if 'segmentation' in ann:
        segmentation = ann['segmentation']
        problem = (_polygon_problem(segmentation) if isinstance(segmentation, list)
                   else _rle_problem(segmentation, size))
        if problem:
            return problem
    if 'score' in ann and not _finite(ann['score']):
        return f'score {ann["score"]!r} is not a finite number'
    if 'area' in ann and not (_finite(ann['area']) and ann['area'] >= 0):
        return f'area {ann["area"]!r} is not a non-negative number'
    if 'spatial_confidence' in ann:
        return _spatial_confidence_problem(ann['spatial_confidence'], size)
    return None


def _unique_ids(entries: Iterable[Any], kind: str, path: str) -> set:
    ids: set = set()
    for position, entry in enumerate(entries):
        if not isinstance(entry, dict) or not _int_id(entry.get('id')):
            raise CocoFileError(f'{path}: {kind} #{position} has no integer "id"')
        if entry['id'] in ids:
            raise CocoFileError(f'{path}: {kind} id {entry["id"]} appears twice')
        ids.add(entry['id'])
    return ids


def validate_coco(data: Any, path: str, *, required: tuple[str, ...] = (), require_annotations: bool = False
                  ) -> None:
    """Raise :class:`CocoFileError` at the first problem of a COCO instances dict read from ``path``.

    Checked: ``images`` (unique integer ids, positive integer ``width``/``height``), ``categories`` (unique ids),
    and every annotation: unique integer ``id``, a known ``image_id`` and ``category_id``, the keys in
    ``required`` (e.g. ``('bbox', 'segmentation')``), and where present a finite non-negative ``bbox``, a
    ``segmentation`` (polygons, or an RLE of its image's size whose counts cover it exactly), a finite ``score``,
    a non-negative ``area``, and a ``spatial_confidence`` of ``levels`` RLEs of the image's size.
    ``require_annotations``: at least one annotation (a training set).
    """
    if not isinstance(data, dict):
        raise CocoFileError(f'{path}: not a COCO json object (got a {type(data).__name__})')
    missing = [key for key in ('images', 'annotations', 'categories') if not isinstance(data.get(key), list)]
    if missing:
        raise CocoFileError(f'{path}: not a COCO instances file (no list "{missing[0]}")')
    _unique_ids(data['images'], 'image', path)
    sizes = {}
    for image in data['images']:
        width, height = image.get('width'), image.get('height')
        if not (_int_id(width) and _int_id(height) and width > 0 and height > 0):
            raise CocoFileError(f'{path}: image {image["id"]} ({image.get("file_name")}): width and height must be '
                                f'positive integers; got {width!r} x {height!r}')
        if not isinstance(image.get('file_name'), str):
            raise CocoFileError(f'{path}: image {image["id"]} has no file_name')
        sizes[image['id']] = (height, width)
    categories = _unique_ids(data['categories'], 'category', path)
    if require_annotations and not data['annotations']:
        raise CocoFileError(f'{path}: has no annotations')
    _unique_ids(data['annotations'], 'annotation', path)
    for ann in data['annotations']:
        where = f'{path}: annotation {ann["id"]}'
        if ann.get('image_id') not in sizes:
            raise CocoFileError(f'{where}: image_id {ann.get("image_id")!r} is not in "images"')
        where = f'{where} (image {ann["image_id"]})'
        if ann.get('category_id') not in categories:
            raise CocoFileError(f'{where}: category_id {ann.get("category_id")!r} is not in "categories"')
        problem = _annotation_problem(ann, sizes[ann['image_id']], required)
        if problem:
            raise CocoFileError(f'{where}: {problem}')
