"""The pipelined extraction's CPU stages: a pool of worker processes, each running one image's cut stage at a time.

A worker holds a copy of the pseudo-mask generator without its feature extractor (and without its depth source
when the main process runs that on the device): it gets an image's features (and depth) and runs
:meth:`~cuts3d.pseudo.maskcut_generator.MaskCutGenerator.cut_image` (the N-cut loop with LocalCut and Spatial
Confidence, the CRF), a depth source that reads files or matches stereo views, and the RLE encoding of the record
(:func:`~cuts3d.pseudo.image_records.image_record`). A failure comes back as the reason the serial runner would
record (:func:`~cuts3d.pseudo.image_records.failure_reason`). A worker that dies (killed, out of memory) breaks the
pool: every task in it raises ``BrokenProcessPool``, and :func:`run_alone` runs them again one by one to find the
image that kills its worker.
"""
from __future__ import annotations

import copy
import os
import pickle
import signal
import sys
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..structures import PatchFeatures
from ..utils.image_io import ImageLoadError
from .image_list import ImageItem
from .image_records import failure_reason, image_record
from .worker_processes import exit_with_run, limit_threads, process_start, worker_context


class CutPoolError(RuntimeError):
    """The cut workers cannot start (the generator cannot be sent to them, or fails to load there)."""


@dataclass
class CutTask:
    """One image's work for a cut worker.

    ``size`` is the file's ``(H, W)``, ``work_size`` that of the image the generator works on (smaller when
    downscaled to ``max_side``), ``resized`` the image at the features' input size. ``depth`` is the depth map when
    the main process computed it; otherwise ``image`` (the work image) is sent for the worker's depth source.
    """

    item: ImageItem
    size: tuple[int, int]
    work_size: tuple[int, int]
    resized: np.ndarray
    feats: PatchFeatures
    depth: np.ndarray | None = None
    image: np.ndarray | None = None


@dataclass
class CutResult:
    """What a worker made of a task: the part-file ``record`` and per-stage ``seconds``, or the failure ``reason``
    (``unreadable``: an :class:`~cuts3d.utils.image_io.ImageLoadError`)."""

    record: dict | None = None
    seconds: dict[str, float] | None = None
    reason: str | None = None
    unreadable: bool = False


# The worker process's state, set once by _init_worker.
_generator: Any = None
_sc_levels = 6


def _init_worker(blob: bytes, sys_path: list[str], threads: int, run: tuple[int, str | None]) -> None:
    global _generator, _sc_levels
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    exit_with_run(*run)
    sys.path[:] = sys_path  # plugins imported by the config (custom_imports) must unpickle here too
    limit_threads(threads)
    _generator, _sc_levels = pickle.loads(blob)


def _ping() -> bool:
    return _generator is not None


def _run(task: CutTask) -> CutResult:
    """One image: depth (if not given), the cut stage, the record; a failure becomes its reason."""
    generator = _generator
    before = dict(generator.timings)
    extra: dict[str, float] = {}
    try:
        depth = task.depth
        if depth is None and generator.depth_source is not None:
            start = time.perf_counter()
            depth = generator.depth_map(task.image, task.item.meta())
            extra['depth'] = time.perf_counter() - start
        instances = generator.cut_image(task.resized, task.work_size, task.feats, depth)
        start = time.perf_counter()
        record = image_record(task.item, task.size, task.work_size, instances, _sc_levels)
        extra['encode'] = time.perf_counter() - start
    except Exception as error:  # noqa: BLE001 - one image's failure is recorded with its reason
        return CutResult(reason=failure_reason(error), unreadable=isinstance(error, ImageLoadError))
    seconds = {stage: value - before.get(stage, 0.0) for stage, value in generator.timings.items()}
    for stage, value in extra.items():
        seconds[stage] = seconds.get(stage, 0.0) + value
    return CutResult(record=record, seconds=seconds)


def worker_generator(generator: Any, depth_in_main: bool) -> Any:
    """A shallow copy of ``generator`` for the workers: no feature extractor (its features come with the task), and
    no depth source when the main process computes depth."""
    clone = copy.copy(generator)
    clone.feature_extractor = None
    if depth_in_main:
        clone.depth_source = None
    return clone


class CutPool:
    """``workers`` processes running :class:`CutTask` s; ``submit(task) -> Future[CutResult]``.

    Raises :class:`CutPoolError` when the generator cannot be pickled or does not load in a worker (checked at
    start, before any image). ``threads`` bounds torch, BLAS and OpenMP threads per worker.
    """

    def __init__(self, generator: Any, workers: int, sc_levels: int, threads: int = 1) -> None:
        try:
            self._blob = pickle.dumps((generator, sc_levels))
        except Exception as error:  # noqa: BLE001 - whatever pickle refuses, the user needs the one line
            raise CutPoolError(f'the pseudo_mask_generator cannot be sent to the cut workers ({type(error).__name__}: '
                               f'{error}); run serially with extraction.pipeline=False') from error
        self.workers = int(workers)
        self.threads = int(threads)
        self._executor: ProcessPoolExecutor | None = None
        self.restart()

    def restart(self) -> None:
        """Start (again) with fresh workers, and check that they loaded the generator."""
        self.close()
        self._executor = ProcessPoolExecutor(self.workers, mp_context=worker_context(), initializer=_init_worker,
                                             initargs=(self._blob, list(sys.path), self.threads,
                                                       (os.getpid(), process_start(os.getpid()))))
        try:
            for future in [self._executor.submit(_ping) for _ in range(self.workers)]:
                future.result()
        except Exception as error:  # noqa: BLE001 - BrokenProcessPool hides the worker's own error in its cause
            self.close()
            cause = error.__cause__ or error
            raise CutPoolError(f'the cut workers cannot load the pseudo_mask_generator ({type(cause).__name__}: '
                               f'{cause}); run serially with extraction.pipeline=False') from error

    def submit(self, task: CutTask) -> Future:
        """Queue one image; its future gives a :class:`CutResult` (or raises BrokenProcessPool if a worker died)."""
        assert self._executor is not None, 'the pool is closed'
        return self._executor.submit(_run, task)

    def close(self) -> None:
        """Stop the workers (queued tasks are cancelled; a running one finishes first)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def __enter__(self) -> CutPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def run_alone(pool: CutPool, tasks: Sequence[CutTask]) -> list[CutResult | None]:
    """Each task alone in the pool, one after another (after a worker died, to tell which image killed it): a
    task whose worker dies again gets None, and the pool is restarted for the next."""
    from concurrent.futures.process import BrokenProcessPool

    results: list[CutResult | None] = []
    for task in tasks:
        try:
            results.append(pool.submit(task).result())
        except BrokenProcessPool:
            results.append(None)
            pool.restart()
    return results
