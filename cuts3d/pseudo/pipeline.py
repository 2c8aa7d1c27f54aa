"""Pipelined extraction of one rank's shard: loaders, the device and the cut workers busy at the same time.

Three stages overlap, joined by bounded queues:

1. a torch DataLoader (:mod:`cuts3d.pseudo.image_loader`): ``loader_workers`` processes read, orient, downscale
   and resize the images, at most two batches ahead;
2. the main process runs the feature extractor (``batch(images)``, one forward pass per ``batch_size`` images) and
   a network depth source (``batch(images, metas)``) on their device;
3. ``cut_workers`` processes (:mod:`cuts3d.pseudo.cut_pool`) run each image's cut stage (NCut, LocalCut, Spatial
   Confidence), CRF, depth read from files, and RLE encoding, while the device works on the next batch. At most
   :attr:`PipelineSettings.max_in_flight` images wait for or sit in the pool, so memory does not grow with the
   data set.

Results are handed back in the order of the shard, and every image goes through the same functions as in the
serial runner (features, depth, :meth:`~cuts3d.pseudo.maskcut_generator.MaskCutGenerator.cut_image`, the record),
so the part files, and the merged json, are the serial runner's byte for byte (tests/pseudo/test_pipeline.py). That
holds as long as the batched forward passes give each image the bits of a one-image pass, which they do on the CPU
(tests/features/test_base.py); on a GPU, kernels chosen per batch size may change features by round-off.

A failure is the image's own, as in the serial runner: an unreadable file, a failing forward pass (the batch is
then retried image by image to find the one), a missing depth file, a failing cut. A cut worker that dies (killed,
out of memory) takes the images in the pool with it: they are run again one at a time, and the one whose worker
dies again is recorded as failed.
"""
from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..features.base import PatchFeatureExtractor
from ..utils.mask_ops import resize_rgb
from ..utils.timing import StageTimer
from .cut_pool import CutPool, CutResult, CutTask, run_alone, worker_generator
from .image_list import ImageItem
from .image_loader import LoadedImage, image_loader
from .image_records import failure_reason

AUTO = 'auto'
WORKER_DIED = ('the cut worker process died while processing this image (killed by the system, e.g. out of '
               'memory?)')

Done = Callable[[dict], None]
Failed = Callable[[ImageItem, str, bool], None]


@dataclass(frozen=True)
class PipelineSettings:
    """How many images per forward pass, loader processes, cut processes (and their threads), and how many images
    may be between the device and the written record at once (``max_in_flight``; None: two per cut worker plus a
    batch, enough to keep every worker busy while the device computes the next batch)."""

    batch_size: int
    loader_workers: int
    cut_workers: int
    cut_threads: int = 1
    max_in_flight: int | None = None

    def __post_init__(self) -> None:
        if self.max_in_flight is None:
            object.__setattr__(self, 'max_in_flight', 2 * self.cut_workers + self.batch_size)

    def describe(self) -> str:
        """One line for the log."""
        return (f'{self.batch_size} image(s) per forward pass, {self.loader_workers} loader process(es), '
                f'{self.cut_workers} cut worker process(es), at most {self.max_in_flight} image(s) in flight')


def available_cpus() -> int:
    """CPUs this process may use, shared among the ranks of one machine (torchrun's ``LOCAL_WORLD_SIZE``)."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else (os.cpu_count() or 1)
    return max(1, cpus // max(1, int(os.environ.get('LOCAL_WORLD_SIZE', '1'))))


def resolve_settings(batch_size: int | str = AUTO, loader_workers: int | str = AUTO, cut_workers: int | str = AUTO,
                     max_in_flight: int | str = AUTO, device: str = 'cpu', cpus: int | None = None
                     ) -> PipelineSettings:
    """The settings, with ``'auto'`` replaced by the default for ``device`` and ``cpus``.

    GPU: 8 images per forward pass, a loader per 4 CPUs (1 to 4), and every other CPU but the main process's for
    the cut workers, which are then the bottleneck (about a CPU second per CutS3D image). CPU: one image per pass
    (a ViT forward already uses every core; batching only adds memory), one loader, a cut worker per 4 CPUs (the
    network dominates). ``max_in_flight``: two images per cut worker plus a batch.
    """
    cpus = available_cpus() if cpus is None else cpus
    gpu = str(device).startswith('cuda')
    loaders = (max(1, min(4, cpus // 4)) if gpu else 1) if loader_workers == AUTO else int(loader_workers)
    return PipelineSettings(
        batch_size=(8 if gpu else 1) if batch_size == AUTO else int(batch_size), loader_workers=loaders,
        cut_workers=(max(1, cpus - loaders - 1) if gpu else max(1, cpus // 4)) if cut_workers == AUTO
        else int(cut_workers),
        max_in_flight=None if max_in_flight == AUTO else int(max_in_flight))


def extractor_device(generator: Any) -> str:
    """The device of the generator's feature extractor (``'cpu'`` when it has none or does not say)."""
    return str(getattr(getattr(generator, 'feature_extractor', None), 'device', 'cpu'))


def supports_pipeline(generator: Any) -> bool:
    """Whether ``generator`` splits into features, depth and a cut stage (``cut_image``) the pipeline can spread."""
    return all(callable(getattr(generator, name, None)) for name in ('cut_image', 'depth_map', 'check_depth')) \
        and hasattr(generator, 'feature_extractor') and hasattr(generator, 'depth_source')


@dataclass
class _Entry:
    """One image between the device and its record: the task sent to the pool and its future, or its outcome."""

    item: ImageItem
    task: CutTask | None
    outcome: Future | CutResult


class PipelinedShard:
    """Runs ``generator`` over a shard with the three stages of the module docstring.

    Args:
        generator: a generator that :func:`supports_pipeline` (``MaskCutGenerator``).
        settings: :class:`PipelineSettings`.
        sc_levels, min_side, max_side: as the runner's.
        timer: gets the seconds of every stage (summed over images, as the serial runner's).
    """

    def __init__(self, generator: Any, settings: PipelineSettings, *, sc_levels: int, min_side: int,
                 max_side: int | None, timer: StageTimer) -> None:
        self.generator = generator
        self.settings = settings
        self.sc_levels = sc_levels
        self.min_side = min_side
        self.max_side = max_side
        self.timer = timer
        self.extractor = generator.feature_extractor
        self.depth_batch = getattr(generator.depth_source, 'batch', None)
        self.pool = CutPool(worker_generator(generator, depth_in_main=self.depth_batch is not None),
                            settings.cut_workers, sc_levels, settings.cut_threads)

    def close(self) -> None:
        self.pool.close()

    def _input_size(self) -> tuple[int, int] | None:
        """The size loaders resize to: the extractor's ``input_size`` when it resizes as the base class does."""
        if isinstance(self.extractor, PatchFeatureExtractor) and \
                type(self.extractor).resize is PatchFeatureExtractor.resize:
            return self.extractor.input_size
        return None

    def run(self, todo: Sequence[ImageItem], done: Done, failed: Failed) -> None:
        """Process ``todo``; ``done(record)`` and ``failed(item, reason, unreadable)`` are called in shard order."""
        pending: deque[_Entry] = deque()
        loader = image_loader(todo, self._input_size(), batch_size=self.settings.batch_size,
                              workers=self.settings.loader_workers, min_side=self.min_side, max_side=self.max_side)
        for batch in loader:
            for loaded in batch:
                loaded.show_warnings()
                self.timer.seconds['load'] = self.timer.seconds.get('load', 0.0) + loaded.seconds
            for loaded, outcome in zip(batch, self._prepare(batch)):
                if isinstance(outcome, CutTask):
                    pending.append(_Entry(loaded.item, outcome, self._submit(outcome)))
                else:
                    pending.append(_Entry(loaded.item, None, outcome))
            self._drain(pending, self.settings.max_in_flight, done, failed)
        self._drain(pending, 0, done, failed)

    def _submit(self, task: CutTask) -> Future:
        """The pool's future of ``task``; when a worker died since the last submission (the pool refuses new
        tasks), a future failed with ``BrokenProcessPool``, which :meth:`_drain` reruns as it reruns the pool's own."""
        try:
            return self.pool.submit(task)
        except BrokenProcessPool as error:
            future: Future = Future()
            future.set_exception(error)
            return future

    def _prepare(self, batch: list[LoadedImage]) -> list[CutTask | CutResult]:
        """Features and (network) depth of a batch on the device: a task per image, or the image's failure."""
        outcomes: list[CutTask | CutResult] = [
            CutResult(reason=loaded.error, unreadable=loaded.unreadable) for loaded in batch]
        readable = [index for index, loaded in enumerate(batch) if loaded.error is None]
        with self.timer('features'):
            feats = self._per_image(self._features, [batch[i] for i in readable])
        depths: list[Any] = [None] * len(readable)
        if self.depth_batch is not None:
            with self.timer('depth'):
                depths = self._per_image(self._depths, [batch[i] for i in readable])
        for index, feat, depth in zip(readable, feats, depths):
            loaded = batch[index]
            if isinstance(feat, CutResult) or isinstance(depth, CutResult):
                outcomes[index] = feat if isinstance(feat, CutResult) else depth
                continue
            resized = loaded.resized if loaded.resized is not None else resize_rgb(loaded.image, feat.input_size)
            outcomes[index] = CutTask(item=loaded.item, size=loaded.size, work_size=loaded.image.shape[:2],
                                      resized=resized, feats=feat, depth=depth,
                                      image=None if self.depth_batch is not None else loaded.image)
        return outcomes

    @staticmethod
    def _per_image(compute: Callable[[list[LoadedImage]], list[Any]], batch: list[LoadedImage]) -> list[Any]:
        """``compute(batch)``; if it fails, ``compute([image])`` one by one, a failure becoming that image's
        :class:`CutResult`."""
        if not batch:
            return []
        try:
            return compute(batch)
        except Exception:  # noqa: BLE001 - find the image(s) the batch failed on
            outcomes = []
            for loaded in batch:
                try:
                    outcomes += compute([loaded])
                except Exception as error:  # noqa: BLE001 - one image's failure is recorded with its reason
                    outcomes.append(CutResult(reason=failure_reason(error)))
            return outcomes

    def _features(self, batch: list[LoadedImage]) -> list[Any]:
        images = [loaded.resized if loaded.resized is not None else loaded.image for loaded in batch]
        if callable(getattr(self.extractor, 'batch', None)):
            return self.extractor.batch(images)
        return [self.extractor(image) for image in images]

    def _depths(self, batch: list[LoadedImage]) -> list[np.ndarray]:
        maps = self.depth_batch([loaded.image for loaded in batch], [loaded.item.meta() for loaded in batch])
        return [self.generator.check_depth(depth, loaded.image.shape[:2]) for depth, loaded in zip(maps, batch)]

    def _drain(self, pending: deque[_Entry], limit: int, done: Done, failed: Failed) -> None:
        """Hand back finished images from the front, in order; wait while more than ``limit`` are in flight."""
        while pending:
            head = pending[0]
            in_flight = sum(isinstance(entry.outcome, Future) for entry in pending)
            if isinstance(head.outcome, Future) and not head.outcome.done() and in_flight <= limit:
                return
            if isinstance(head.outcome, Future):
                try:
                    head.outcome = head.outcome.result()
                except BrokenProcessPool:
                    self._rerun_broken(pending)
                    continue
            pending.popleft()
            result = head.outcome
            if result.record is not None:
                for stage, seconds in result.seconds.items():
                    self.timer.seconds[stage] = self.timer.seconds.get(stage, 0.0) + seconds
                done(result.record)
            else:
                failed(head.item, result.reason, result.unreadable)

    def _rerun_broken(self, pending: deque[_Entry]) -> None:
        """A worker died: every image the pool lost runs again alone, in order; one whose worker dies again
        fails with :data:`WORKER_DIED`."""
        lost = []
        for entry in pending:
            if isinstance(entry.outcome, Future):
                if entry.outcome.done() and entry.outcome.exception() is None:
                    entry.outcome = entry.outcome.result()
                else:
                    lost.append(entry)
        self.pool.restart()
        for entry, result in zip(lost, run_alone(self.pool, [entry.task for entry in lost])):
            entry.outcome = result if result is not None else CutResult(reason=WORKER_DIED)
