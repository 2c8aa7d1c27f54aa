"""Read a pseudo-mask file back: the json, and each annotation's mask and Spatial Confidence map."""
from __future__ import annotations

import json
import os

import numpy as np

from ..structures import decode_mask, decode_spatial_confidence


class PseudoMaskFileError(ValueError):
    """A file that is not a COCO instances json (missing ``images``/``annotations``/``categories``, bad json)."""


def load_pseudo_masks(path: str | os.PathLike) -> dict:
    """The pseudo-mask json as a dict, after checking it has the COCO instances keys."""
    path = os.fspath(path)
    try:
        with open(path, encoding='utf-8') as handle:
            data = json.load(handle)
    except FileNotFoundError as error:
        raise PseudoMaskFileError(f'{path}: no such file') from error
    except json.JSONDecodeError as error:
        raise PseudoMaskFileError(f'{path}: not valid json ({error})') from error
    missing = [key for key in ('images', 'annotations', 'categories') if key not in data]
    if missing:
        raise PseudoMaskFileError(f'{path}: not a COCO instances file (no {", ".join(missing)})')
    return data


def annotation_mask(annotation: dict) -> np.ndarray:
    """Bool ``H x W`` mask of an annotation with an RLE ``segmentation`` (as the pseudo-mask files store)."""
    segmentation = annotation['segmentation']
    if not isinstance(segmentation, dict):
        raise PseudoMaskFileError(f'annotation {annotation.get("id")}: segmentation is not an RLE')
    return decode_mask(segmentation)


def annotation_confidence(annotation: dict) -> np.ndarray:
    """Float32 ``H x W`` Spatial Confidence of an annotation (quantised to ``1 / levels``).

    An annotation without ``spatial_confidence`` (e.g. a CutLER json) gets its ``score`` (default 1) inside the
    mask and 0 outside.
    """
    if 'spatial_confidence' in annotation:
        return decode_spatial_confidence(annotation['spatial_confidence'])
    return annotation_mask(annotation).astype(np.float32) * float(annotation.get('score', 1.0))
