"""COCO masks and Spatial Confidence maps as stored in json files: the one encoder and decoder of the project.

Masks are COCO compressed RLEs with ``counts`` as str (json-ready); :func:`decode_mask` also reads what other
tools write (``counts`` as bytes, uncompressed RLEs, polygons).

A Spatial Confidence map (float in [0, 1], 0 outside its mask) is stored as ``L`` nested level sets,
``{'levels': L, 'rles': [RLE(SC >= (t - 1/2) / L) for t in 1..L]}``: compressed RLEs of nested masks are small (a
few hundred bytes each for blob-like maps) and any COCO tool can decode them. Decoding counts, per pixel, the level
sets it belongs to (:func:`decode_confidence_levels`), so the map comes back rounded to the nearest multiple of
``1 / L``: ``decode(encode(sc)) = round(sc * L) / L``, off by at most ``1 / (2 L)``.

What that keeps: CutS3D's map is the mean of ``T`` binary cuts (eq. (4)), so inside its patches it takes the values
``k / T``, and between patches the upsampling to pixels interpolates them. With ``L`` a multiple of ``T`` every
``k / T`` is stored exactly and the interpolated border values within ``1 / (2 L)``;
:func:`cuts3d.pseudo.coco_writer.annotation_from_instance` refuses an ``L`` that is not a multiple of the ``T`` an
instance declares, instead of losing its levels silently. (The first version floored to ``1 / L``, which shifted
every interpolated value down by up to a whole level.) For ``L = T`` the count is CutS3D eq. (4),
``SC = (1/T) sum_t BC(t)``, on the stored sets: the sum is the same whether the RLEs hold the nested level sets or
the ``T`` binary cuts themselves.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from pycocotools import mask as mask_utils

#: Largest level count ``T``: decoded level maps are ``uint8``.
MAX_LEVELS = 255


class SegmentationError(ValueError):
    """A COCO ``segmentation`` or ``spatial_confidence`` entry this module cannot read."""


def encode_mask(mask: np.ndarray) -> dict:
    """Bool ``H x W`` mask -> COCO compressed RLE ``{'size': [H, W], 'counts': str}`` (json-ready)."""
    mask = np.asarray(mask)
    if mask.ndim != 2:
        raise ValueError(f'a mask must be 2-D H x W, got shape {mask.shape}')
    return json_rle(mask_utils.encode(np.asfortranarray(mask.astype(np.uint8))))


def json_rle(rle: dict) -> dict:
    """A compressed RLE with ``counts`` as str and ``size`` as ints (json-serialisable), whatever pycocotools gave."""
    counts = rle['counts']
    return {'size': [int(s) for s in rle['size']],
            'counts': counts.decode('ascii') if isinstance(counts, bytes) else counts}


def compressed_rle(segmentation: Any, height: int | None = None, width: int | None = None) -> dict:
    """A COCO ``segmentation`` as the compressed RLE (``counts`` bytes) that pycocotools' functions take.

    Reads compressed RLEs (``counts`` str or bytes), uncompressed RLEs (``counts`` a list) and polygons (a list of
    coordinate lists; they need ``height`` and ``width``).

    Raises:
        SegmentationError: any other value, or polygons without an image size.
    """
    if isinstance(segmentation, dict) and isinstance(segmentation.get('counts'), (str, bytes)):
        counts = segmentation['counts']
        return {'size': list(segmentation['size']),
                'counts': counts.encode('ascii') if isinstance(counts, str) else counts}
    if isinstance(segmentation, dict) and 'size' in segmentation:
        return mask_utils.frPyObjects(segmentation, *segmentation['size'])
    if isinstance(segmentation, list) and height is not None and width is not None:
        return mask_utils.merge(mask_utils.frPyObjects(segmentation, height, width))
    raise SegmentationError(f'unsupported segmentation of type {type(segmentation).__name__}'
                            + (' (polygons need the image height and width)' if isinstance(segmentation, list)
                               else ''))


def decode_mask(segmentation: Any, height: int | None = None, width: int | None = None) -> np.ndarray:
    """Bool ``H x W`` mask of a COCO ``segmentation`` (see :func:`compressed_rle` for the forms it reads)."""
    return mask_utils.decode(compressed_rle(segmentation, height, width)).astype(bool)


def encode_spatial_confidence(confidence: np.ndarray, levels: int) -> dict:
    """Float ``H x W`` map in [0, 1] -> ``{'levels': L, 'rles': [RLE(SC >= (t - 1/2) / L), t = 1..L]}``."""
    if not 1 <= levels <= MAX_LEVELS:
        raise ValueError(f'levels must be in 1..{MAX_LEVELS}, got {levels}')
    confidence = np.asarray(confidence, dtype=np.float64)
    if confidence.ndim != 2:
        raise ValueError(f'a confidence map must be 2-D H x W, got shape {confidence.shape}')
    if np.isnan(confidence).any():
        raise ValueError('a confidence map must not contain NaN')
    scaled = confidence * levels
    return {'levels': int(levels), 'rles': [encode_mask(scaled >= t - 0.5) for t in range(1, levels + 1)]}


def decode_confidence_levels(encoded: Any, height: int | None = None,
                             width: int | None = None) -> tuple[np.ndarray, int]:
    """A ``spatial_confidence`` entry -> (``uint8 H x W`` level count, ``L``), with ``SC = level / L``.

    ``height`` and ``width``, when given, are the size every level set must have (the annotation's image).

    Raises:
        SegmentationError: a malformed entry (missing keys, ``T`` outside 1..255, a count of RLEs other than ``T``,
            or RLEs of another size than the image or than each other).
    """
    if not isinstance(encoded, dict) or 'levels' not in encoded or 'rles' not in encoded:
        raise SegmentationError("spatial_confidence must be a dict {'levels': T, 'rles': [...]}; "
                                f'got {type(encoded).__name__} {str(encoded)[:80]}')
    num_levels, rles = encoded['levels'], encoded['rles']
    if isinstance(num_levels, bool) or not isinstance(num_levels, (int, np.integer)) \
            or not 1 <= num_levels <= MAX_LEVELS:
        raise SegmentationError(f"spatial_confidence['levels'] must be an int in 1..{MAX_LEVELS}; got {num_levels!r}")
    if not isinstance(rles, list) or len(rles) != num_levels:
        count = len(rles) if isinstance(rles, list) else type(rles).__name__
        raise SegmentationError(f'spatial_confidence has levels={num_levels} but {count} level sets: it needs one '
                                'RLE per level')
    size = [height, width] if height is not None and width is not None else None
    for rle in rles:
        found = list(rle['size']) if isinstance(rle, dict) and 'size' in rle and 'counts' in rle else None
        size = size or found
        if found is None or found != size:
            described = rle.get('size') if isinstance(rle, dict) else type(rle).__name__
            raise SegmentationError(f'spatial_confidence RLEs must be compressed RLEs of size {size}; got size '
                                    f'{described}')
    level_sets = mask_utils.decode([compressed_rle(rle) for rle in rles])  # H x W x T uint8
    return level_sets.sum(axis=2, dtype=np.uint8), int(num_levels)


def decode_spatial_confidence(encoded: Any) -> np.ndarray:
    """A ``spatial_confidence`` entry -> float32 ``H x W`` map, rounded to multiples of ``1 / L``."""
    levels, num_levels = decode_confidence_levels(encoded)
    return (levels / num_levels).astype(np.float32)
