"""Record what a pseudo-mask generator's components computed for one image, for the stage pictures.

:class:`StageRecorder` taps a generator's ``depth_source``, ``cutter``, ``partitioner`` and ``confidence`` through
their public call interfaces (``docs/design.md``, "Component contracts"): each is replaced by a thin wrapper that calls
the original and keeps a copy of its inputs and outputs. The generator's own loop runs unchanged, so the pictures
show exactly what the generator did; the confidence estimator keeps its reference to the original partitioner,
so the extra LocalCuts of Spatial Confidence are not recorded as cuts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..structures import Cut, CutContext, Instance

TAPPED = ('depth_source', 'cutter', 'partitioner', 'confidence')


@dataclass
class CutRecord:
    """One round of the cut loop: the cut, the patches claimed before it, the partitioner's mask, the confidence
    map (None when the loop dropped the cut before estimating confidence) and ``context.extras`` after the
    partitioner (e.g. the Spatial Importance map)."""

    index: int
    cut: Cut
    claimed: np.ndarray
    partition: np.ndarray | None = None
    confidence: np.ndarray | None = None
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImageRecord:
    """Everything recorded for one image: depth at image size (None without a depth source), the cut context
    (resized image, patch grid, patch-grid depth), the cut rounds, the generator's instances and its decision on
    each cut (the generator's ``cut_log``, e.g. :attr:`cuts3d.pseudo.MaskCutGenerator.cut_log`; empty for a
    generator that keeps none)."""

    depth: np.ndarray | None = None
    context: CutContext | None = None
    cuts: list[CutRecord] = field(default_factory=list)
    instances: list[Instance] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)


class _Tap:
    """Base of the wrappers: forwards attribute access to the wrapped component."""

    def __init__(self, inner: Any, recorder: StageRecorder) -> None:
        self.inner = inner
        self.recorder = recorder

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class _DepthTap(_Tap):
    def __call__(self, image: np.ndarray, meta: dict) -> np.ndarray:
        depth = self.inner(image, meta)
        self.recorder.current.depth = np.array(depth, dtype=np.float32)
        return depth


class _CutterTap(_Tap):
    def cut(self, feats: Any, active: np.ndarray, context: CutContext) -> Cut | None:
        cut = self.inner.cut(feats, active, context)
        record = self.recorder.current
        record.context = context
        if cut is not None:
            claimed = np.zeros(context.grid, bool) if context.claimed is None else np.array(context.claimed, bool)
            record.cuts.append(CutRecord(index=len(record.cuts), cut=cut, claimed=claimed))
        return cut


class _PartitionerTap(_Tap):
    def __call__(self, cut: Cut, context: CutContext) -> np.ndarray:
        mask = self.inner(cut, context)
        last = self.recorder.current.cuts[-1]
        last.partition = np.array(mask, dtype=bool)
        last.extras = dict(context.extras)
        return mask


class _ConfidenceTap(_Tap):
    def __call__(self, cut: Cut, instance: np.ndarray, context: CutContext) -> np.ndarray:
        confidence = self.inner(cut, instance, context)
        self.recorder.current.cuts[-1].confidence = np.array(confidence, dtype=np.float32)
        return confidence


class StageRecorder:
    """Wrap ``generator``'s components (attributes :data:`TAPPED`) and run it image by image with
    :meth:`run`, which returns an :class:`ImageRecord`. Raises TypeError for a generator without them."""

    def __init__(self, generator: Any) -> None:
        missing = [name for name in TAPPED if not hasattr(generator, name)]
        if missing:
            raise TypeError(f'{type(generator).__name__} has no {", ".join(missing)}: the stage recorder needs a '
                            f'generator built from {", ".join(TAPPED)} (e.g. MaskCutGenerator)')
        self.generator = generator
        self.current = ImageRecord()
        if generator.depth_source is not None:
            generator.depth_source = _DepthTap(generator.depth_source, self)
        generator.cutter = _CutterTap(generator.cutter, self)
        generator.partitioner = _PartitionerTap(generator.partitioner, self)
        generator.confidence = _ConfidenceTap(generator.confidence, self)

    def run(self, image: np.ndarray, meta: dict) -> ImageRecord:
        """Run the generator on one image and return what was recorded, instances included."""
        self.current = ImageRecord()
        self.current.instances = list(self.generator(image, meta))
        self.current.decisions = list(getattr(self.generator, 'cut_log', None) or [])
        return self.current
