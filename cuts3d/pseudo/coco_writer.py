"""The pseudo-mask file: a COCO instances json that pycocotools, mmdet and detectron2 load unchanged.

Layout (``docs/design.md``, "Data formats"): ``images`` with the true ``width``/``height`` of each image (CutLER's
reference swapped them), one category ``{'id': 1, 'name': 'fg'}`` (U2Seg's clustered files: one per pseudo
class), and per annotation a compressed RLE ``segmentation`` (counts as str), ``bbox`` computed from the RLE,
``area``, ``iscrowd`` 0, ``score`` (mean Spatial Confidence: the detection score COCO tools rank by),
``sc_mean`` (the same mean Spatial Confidence under a name that self-training never overwrites: after a
self-training round ``score`` is a detector's score for the model's predictions), ``spatial_confidence`` (level
sets, :mod:`cuts3d.structures.rle`) and ``provenance`` (which cut produced the mask and what became of it). ``info``
records the generator config and ``cuts3d.__version__``, so a file says how it was made. Files are written as a
stream (an ImageNet-sized file need not fit in memory as one object) into a temporary file that replaces the target
only when complete.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from typing import Any

from ..structures import FG_CATEGORY, Instance, encode_mask, encode_spatial_confidence, mask_fields
from ..utils.atomic_file import atomic_write
from ..version import __version__


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(',', ':'), ensure_ascii=False)


def to_jsonable(value: Any) -> Any:
    """A config (mmengine ConfigDict, tuples, numpy scalars) as plain json types; anything else by ``repr``."""
    return json.loads(json.dumps(value, default=lambda obj: obj.tolist() if hasattr(obj, 'tolist') else repr(obj)))


def annotation_from_instance(instance: Instance, levels: int) -> dict:
    """One COCO annotation (without ``id``/``image_id``) for a pseudo-mask at its image's size.

    ``levels`` is the number of Spatial Confidence level sets stored. An instance whose confidence takes ``T``
    levels (``provenance['confidence_levels']``, CutS3D: the ``T`` of eq. (4)) needs ``levels`` to be a multiple of
    ``T``, or its values would be rounded away: that is a ValueError, not a silent loss.
    """
    declared = instance.provenance.get('confidence_levels')
    if declared and levels % int(declared):
        raise ValueError(f'cannot store a Spatial Confidence of T={declared} levels in sc_levels={levels} level '
                         f'sets without losing values; set the extraction sc_levels to a multiple of {declared}')
    return {
        'category_id': FG_CATEGORY['id'],
        **mask_fields(encode_mask(instance.mask)),
        'iscrowd': 0,
        'score': float(instance.score),
        'sc_mean': float(instance.score),
        'spatial_confidence': encode_spatial_confidence(instance.confidence, levels),
        'provenance': to_jsonable(instance.provenance),
    }


def image_entry(image_id: int, file_name: str, width: int, height: int) -> dict:
    """One COCO ``images`` entry; ``width`` is the number of columns, ``height`` of rows."""
    return {'id': int(image_id), 'file_name': file_name, 'width': int(width), 'height': int(height)}


def random_weight_components(config: Any, path: str = 'pseudo_mask_generator') -> list[str]:
    """Dotted paths of the components a config builds with ``pretrained=False`` (random weights)."""
    if isinstance(config, dict):
        found = [path] if config.get('pretrained') is False else []
        return found + [p for key, value in config.items() for p in random_weight_components(value, f'{path}.{key}')]
    if isinstance(config, (list, tuple)):
        return [p for i, value in enumerate(config) for p in random_weight_components(value, f'{path}.{i}')]
    return []


def generator_info(generator_config: Any, levels: int, description: str = 'cuts3d pseudo-masks') -> dict:
    """The ``info`` block: what made the file (generator config, code version, confidence levels and the largest
    error their storage allows), and ``random_weights``: the components that ran on random weights
    (``pretrained=False``), when there are any."""
    info = {'description': description, 'cuts3d_version': __version__,
            'pseudo_mask_generator': to_jsonable(generator_config), 'spatial_confidence_levels': int(levels),
            'spatial_confidence_max_error': 0.5 / int(levels)}
    random_weights = random_weight_components(to_jsonable(generator_config))
    if random_weights:
        info['random_weights'] = random_weights
    return info


def write_coco_json(path: str | os.PathLike, info: dict, images: Iterable[dict], annotations: Iterable[dict],
                    categories: Sequence[dict] = (FG_CATEGORY, )) -> None:
    """Stream a COCO json to ``path`` atomically (temporary file, fsync, ``os.replace``).

    ``images`` and ``annotations`` may be generators; they are consumed once, in that order. ``categories``
    defaults to the single ``fg`` category of class-agnostic pseudo-masks.
    """
    with atomic_write(path) as out:
        out.write(f'{{"info":{_dumps(info)},"licenses":[],"categories":{_dumps(list(categories))},"images":[')
        _write_array(out, images)
        out.write('],"annotations":[')
        _write_array(out, annotations)
        out.write(']}\n')


def _write_array(out, items: Iterable[dict]) -> None:
    for i, item in enumerate(items):
        if i:
            out.write(',')
        out.write(_dumps(item))
