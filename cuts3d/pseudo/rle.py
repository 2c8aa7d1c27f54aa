"""Compressed-RLE encoding of masks and of Spatial Confidence maps, as stored in the pseudo-mask json.

A Spatial Confidence map (float in [0, 1], 0 outside its mask) is stored as ``L`` nested level sets,
``{'levels': L, 'rles': [RLE(SC >= (t - 1/2) / L) for t in 1..L]}``: compressed RLEs of nested masks are small (a
few hundred bytes each for blob-like maps) and any COCO tool can decode them. Decoding counts, per pixel, the level
sets it belongs to, so the map comes back rounded to the nearest multiple of ``1 / L``:
``decode(encode(sc)) = round(sc * L) / L``, off by at most ``1 / (2 L)``.

What that keeps: CutS3D's map is the mean of ``T`` binary cuts (eq. (4)), so inside its patches it takes the values
``k / T``, and between patches the upsampling to pixels interpolates them (:func:`cuts3d.utils.mask_ops.
confidence_to_image`). With ``L`` a multiple of ``T`` every ``k / T`` is stored exactly and the interpolated border
values within ``1 / (2 L)``; :func:`cuts3d.pseudo.coco_writer.annotation_from_instance` refuses an ``L`` that is
not a multiple of the ``T`` an instance declares, instead of losing its levels silently. (The first version floored
to ``1 / L``, which shifted every interpolated value down by up to a whole level.)
"""
from __future__ import annotations

import numpy as np
from pycocotools import mask as mask_utils


def encode_mask(mask: np.ndarray) -> dict:
    """Bool ``H x W`` mask -> COCO compressed RLE ``{'size': [H, W], 'counts': str}`` (json-ready)."""
    mask = np.asarray(mask)
    if mask.ndim != 2:
        raise ValueError(f'a mask must be 2-D H x W, got shape {mask.shape}')
    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {'size': [int(s) for s in rle['size']], 'counts': rle['counts'].decode('ascii')}


def decode_mask(rle: dict) -> np.ndarray:
    """COCO compressed RLE (``counts`` as str or bytes) -> bool ``H x W``."""
    counts = rle['counts']
    return mask_utils.decode({'size': list(rle['size']),
                              'counts': counts.encode('ascii') if isinstance(counts, str) else counts}).astype(bool)


def encode_spatial_confidence(confidence: np.ndarray, levels: int) -> dict:
    """Float ``H x W`` map in [0, 1] -> ``{'levels': L, 'rles': [RLE(SC >= (t - 1/2) / L), t = 1..L]}``."""
    if levels < 1:
        raise ValueError(f'levels must be >= 1, got {levels}')
    confidence = np.asarray(confidence, dtype=np.float64)
    if confidence.ndim != 2:
        raise ValueError(f'a confidence map must be 2-D H x W, got shape {confidence.shape}')
    if np.isnan(confidence).any():
        raise ValueError('a confidence map must not contain NaN')
    scaled = confidence * levels
    return {'levels': int(levels), 'rles': [encode_mask(scaled >= t - 0.5) for t in range(1, levels + 1)]}


def decode_spatial_confidence(encoded: dict) -> np.ndarray:
    """``{'levels': L, 'rles': [...]}`` -> float32 ``H x W`` map, rounded to multiples of ``1 / L``."""
    levels = int(encoded['levels'])
    rles = encoded['rles']
    if len(rles) != levels or levels < 1:
        raise ValueError(f'spatial_confidence has levels={levels} but {len(rles)} level sets')
    count = np.zeros(tuple(rles[0]['size']), dtype=np.int32)
    for rle in rles:
        count += decode_mask(rle)
    return (count / levels).astype(np.float32)
