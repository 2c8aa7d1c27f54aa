"""What :class:`~cuts3d.cutting.ncut.NCutCutter` keeps between the cuts of one image.

MaskCut cuts an image ``N`` times, and between cuts only the claimed patches change. The cutter builds the image's
binarised pattern (cosine affinity, affinity modifiers, threshold) once, masks it per cut, and starts each cut's
eigensolver from the previous cut's vector. That state lives here, keyed by the identity of the image's
:class:`~cuts3d.structures.PatchFeatures` and :class:`~cuts3d.structures.CutContext` objects, which the generator
passes unchanged to every cut of an image. Entries hold weak references only: an image whose features or context
have been freed is dropped at the next lookup, and at most ``capacity`` images are kept (least recently used
dropped), so memory stays flat whatever the caller keeps alive. Features, context and its depth must not be
modified in place between the cuts of an image; replacing them with new objects starts a new entry.
"""
from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..structures import CutContext, PatchFeatures


@dataclass
class ImageGraph:
    """One image's graph state: its pattern (numpy or torch, None if it must be rebuilt every cut), the group of
    every node with identical pattern rows (see :func:`identical_row_groups`), and the last cut's eigenvector
    ``u`` for a warm start."""

    pattern: Any
    groups: np.ndarray | None
    start: Any = None


def identical_row_groups(pattern: np.ndarray) -> np.ndarray:
    """Group id per node such that nodes with identical rows of the bool ``N x N`` pattern share an id.

    Nodes with identical rows in the binarised graph have identical entries in every generalised eigenvector with
    eigenvalue below 1 (their equations are the same), so a solver's round-off between them can be averaged away.
    """
    packed = np.ascontiguousarray(np.packbits(pattern, axis=1))
    rows = packed.view(np.dtype((np.void, packed.shape[1]))).reshape(-1)
    return np.unique(rows, return_inverse=True)[1].reshape(-1)


class ImageGraphCache:
    """``get(feats, context, build)`` returns the image's :class:`ImageGraph`, calling ``build()`` on a miss."""

    def __init__(self, capacity: int = 2) -> None:
        if capacity < 1:
            raise ValueError(f'the graph cache needs a capacity of at least 1 image, got {capacity}')
        self.capacity = int(capacity)
        self._entries: OrderedDict[tuple[int, int], tuple[tuple[weakref.ref, ...], ImageGraph]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, feats: PatchFeatures, context: CutContext, build: Callable[[], ImageGraph],
            keep: int = 1) -> ImageGraph:
        """The entry of this image, built on a miss; keeps at least ``keep`` images (a batch's worth)."""
        self._drop_dead()
        key = (id(feats), id(context))
        watched = (feats, feats.feats, context) + (() if context.depth is None else (context.depth,))
        entry = self._entries.get(key)
        if entry is not None and len(entry[0]) == len(watched) and all(
                ref() is obj for ref, obj in zip(entry[0], watched)):
            self._entries.move_to_end(key)
            return entry[1]
        graph = build()
        self._entries[key] = (tuple(weakref.ref(obj) for obj in watched), graph)
        self._entries.move_to_end(key)
        while len(self._entries) > max(self.capacity, keep):
            self._entries.popitem(last=False)
        return graph

    def clear(self) -> None:
        self._entries.clear()

    def _drop_dead(self) -> None:
        dead = [key for key, (refs, _) in self._entries.items() if any(ref() is None for ref in refs)]
        for key in dead:
            del self._entries[key]
