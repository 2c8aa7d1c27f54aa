"""U2Seg's panoptic pseudo-labels: clustered "things" over a "stuff" map (eq. 5), as COCO panoptic segments.

Label ids: things are the clusters ``1..C`` of the clustered pseudo-mask file, stuff classes ``1..S`` of a stuff
source become ``C + 1..C + S`` (U2Seg's ``generate_pseudo_panoptic.py`` numbers them the same way), 0 is void.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass
class ThingMask:
    """One clustered pseudo-mask: bool ``H x W`` mask and its cluster category id in ``1..C``."""

    mask: np.ndarray
    category_id: int


@dataclass
class PanopticLabels:
    """Panoptic pseudo-labels of one image: ``segment_map`` int32 ``H x W`` of segment ids (0 = void) and one
    COCO ``segments_info`` entry per id (``id``, ``category_id``, ``area``, ``bbox`` x y w h, ``iscrowd``)."""

    segment_map: np.ndarray
    segments: list[dict]


def merge_thing_and_stuff_labels(thing_labels: np.ndarray, stuff_labels: np.ndarray) -> np.ndarray:
    """U2Seg eq. (5): ``I = I_C`` where ``I_C != 0``, else ``S_S`` where ``S_S != 0``, else 0 (things win).

    Args:
        thing_labels: ``I_C``, int ``H x W``, the thing class of each pixel (0 = no thing).
        stuff_labels: ``S_S``, int ``H x W``, the stuff class of each pixel (0 = none), already offset past the
            thing ids.
    """
    if thing_labels.shape != stuff_labels.shape:
        raise ValueError(f'thing labels {thing_labels.shape} and stuff labels {stuff_labels.shape} differ in size')
    return np.where(thing_labels != 0, thing_labels, stuff_labels)


def _box(mask: np.ndarray) -> list[float]:
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return [float(cols[0]), float(rows[0]), float(cols[-1] - cols[0] + 1), float(rows[-1] - rows[0] + 1)]


def _segment(segment_id: int, category_id: int, mask: np.ndarray) -> dict:
    return {'id': segment_id, 'category_id': int(category_id), 'area': int(mask.sum()), 'bbox': _box(mask),
            'iscrowd': 0}


def panoptic_pseudo_labels(things: Sequence[ThingMask], stuff: np.ndarray, num_thing_classes: int,
                           max_thing_overlap: float = 0.7) -> PanopticLabels:
    """Things and stuff of one image merged by eq. (5) into panoptic segments.

    Things: painted largest first, so where pseudo-masks overlap the smaller one stays on top (as U2Seg's
    ``generate_pseudo_panoptic.py``); a thing left with no pixel is dropped. Stuff: one segment per stuff class
    over its pixels not covered by things (eq. 5: things win). A stuff class whose pixels lie under things for
    more than ``max_thing_overlap`` of its area is left void: U2Seg's script does this with 0.7 (such a class
    mostly labels the objects themselves); ``max_thing_overlap=1`` gives eq. 5 literally.

    Args:
        things: the image's clustered pseudo-masks (category ids in ``1..num_thing_classes``).
        stuff: int ``H x W`` stuff classes ``1..S`` (0 = none), as a stuff source returns them.
        num_thing_classes: ``C``; stuff class ``s`` becomes category ``C + s``.
        max_thing_overlap: in ``[0, 1]``.

    Raises:
        ValueError: masks of another size than ``stuff``, a thing category outside ``1..C``, negative stuff
            labels, or ``max_thing_overlap`` outside ``[0, 1]``.
    """
    stuff = np.asarray(stuff)
    if not 0 <= max_thing_overlap <= 1:
        raise ValueError(f'max_thing_overlap must lie in [0, 1]; got {max_thing_overlap}')
    if stuff.ndim != 2 or (stuff.size and stuff.min() < 0):
        raise ValueError(f'stuff must be a 2-D map of labels >= 0; got shape {stuff.shape}')
    owner = np.zeros(stuff.shape, dtype=np.int32)  # index + 1 of the thing on top
    order = sorted(range(len(things)), key=lambda i: -int(np.count_nonzero(things[i].mask)))
    for index in order:
        thing = things[index]
        if thing.mask.shape != stuff.shape:
            raise ValueError(f'thing mask {thing.mask.shape} and stuff map {stuff.shape} differ in size')
        if not 1 <= thing.category_id <= num_thing_classes:
            raise ValueError(f'thing category {thing.category_id} outside 1..{num_thing_classes}')
        owner[thing.mask.astype(bool)] = index + 1
    thing_labels = np.zeros(stuff.shape, dtype=np.int64)
    covered = owner > 0
    thing_labels[covered] = np.array([t.category_id for t in things], dtype=np.int64)[owner[covered] - 1]
    stuff_labels = np.where(stuff > 0, stuff.astype(np.int64) + num_thing_classes, 0)
    for label in np.unique(stuff_labels[stuff_labels > 0]):
        in_class = stuff_labels == label
        if np.count_nonzero(in_class & covered) > max_thing_overlap * np.count_nonzero(in_class):
            stuff_labels[in_class] = 0
    merged = merge_thing_and_stuff_labels(thing_labels, stuff_labels)

    segment_map = np.zeros(stuff.shape, dtype=np.int32)
    segments = []
    for index in order:
        region = owner == index + 1
        if region.any():
            segments.append(_segment(len(segments) + 1, things[index].category_id, region))
            segment_map[region] = len(segments)
    for label in np.unique(merged[merged > num_thing_classes]):
        region = merged == label
        segments.append(_segment(len(segments) + 1, int(label), region))
        segment_map[region] = len(segments)
    return PanopticLabels(segment_map=segment_map, segments=segments)
