"""COCO panoptic format for the panoptic pseudo-labels: one PNG per image plus a json, as panopticapi writes them.

A PNG pixel holds its segment id as ``id = R + 256 * G + 256**2 * B`` (0 = void); the json has ``images``,
``annotations`` (per image: ``image_id``, ``file_name`` of the PNG, ``segments_info``) and ``categories`` with
``isthing``. detectron2's and mmdet's COCO panoptic loaders read it (with ``categories`` as written here).
"""
from __future__ import annotations

import os

import numpy as np
from PIL import Image

from .clustered_json import cluster_class_names


def id_to_rgb(segment_map: np.ndarray) -> np.ndarray:
    """Segment ids ``H x W`` (0 .. 256**3 - 1) -> uint8 ``H x W x 3`` with ``id = R + 256 G + 256^2 B``."""
    ids = np.asarray(segment_map, dtype=np.int64)
    if ids.size and (ids.min() < 0 or ids.max() >= 256 ** 3):
        raise ValueError(f'segment ids must lie in 0..{256 ** 3 - 1}')
    return np.stack([ids % 256, ids // 256 % 256, ids // 256 ** 2 % 256], axis=-1).astype(np.uint8)


def rgb_to_id(rgb: np.ndarray) -> np.ndarray:
    """uint8 ``H x W x 3`` panoptic PNG pixels -> int32 segment ids (the inverse of :func:`id_to_rgb`)."""
    rgb = np.asarray(rgb, dtype=np.int64)
    return (rgb[..., 0] + 256 * rgb[..., 1] + 256 ** 2 * rgb[..., 2]).astype(np.int32)


def panoptic_categories(num_thing_classes: int, num_stuff_classes: int) -> list[dict]:
    """Things ``cluster_k`` (ids ``1..C``, ``isthing`` 1), then stuff ``stuff_s`` (ids ``C + s``, ``isthing`` 0)."""
    things = [{'id': k, 'name': name, 'supercategory': 'thing', 'isthing': 1}
              for k, name in enumerate(cluster_class_names(num_thing_classes), start=1)]
    stuff = [{'id': num_thing_classes + s, 'name': f'stuff_{s}', 'supercategory': 'stuff', 'isthing': 0}
             for s in range(1, num_stuff_classes + 1)]
    return things + stuff


def png_name(file_name: str) -> str:
    """The PNG path (relative to the PNG folder) of an image: its ``file_name`` with the extension ``.png``."""
    return f'{os.path.splitext(file_name)[0]}.png'


def write_panoptic_png(path: str | os.PathLike, segment_map: np.ndarray) -> None:
    """Save a segment-id map as a COCO panoptic PNG (folders created)."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    Image.fromarray(id_to_rgb(segment_map)).save(path)
