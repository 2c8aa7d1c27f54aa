"""The pipelined extraction's input: a torch DataLoader whose workers read, downscale and resize the images.

Each worker does for one image what the serial runner does before the generator: :func:`~cuts3d.utils.image_io.
load_rgb` (the training pipeline's decoder: EXIF orientation applied, any colour format to RGB), the ``max_side``
downscale (:func:`~cuts3d.utils.image_io.fit_max_side`) and the feature extractor's resize (PIL LANCZOS to its
``input_size``, :func:`~cuts3d.utils.mask_ops.resize_rgb`, which is what the extractor and the CRF would do to the
image). An image that cannot be read comes back as a :class:`LoadedImage` with its failure reason instead of
stopping the loader, and the warnings a worker raised (a downscaled huge image) come back with it, to be shown by
the main process as the serial runner shows them.

Workers are forked from a forkserver (:mod:`cuts3d.pseudo.worker_processes`), one thread each.
"""
from __future__ import annotations

import os
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from torch.utils.data import DataLoader, Dataset

from ..utils.image_io import ImageLoadError, fit_max_side, load_rgb
from ..utils.mask_ops import resize_rgb
from .image_list import ImageItem
from .image_records import failure_reason
from .worker_processes import exit_with_run, limit_threads, process_start, worker_context


@dataclass
class LoadedImage:
    """One image as a loader worker prepared it, or why it could not.

    ``image`` is the image the generator works on (downscaled when longer than ``max_side``), ``size`` the file's
    ``(H, W)``, ``resized`` the image at the feature extractor's ``input_size``. On failure these are None and
    ``error`` is the reason; ``unreadable`` says the file itself is the problem (an :class:`ImageLoadError`).
    ``warnings`` holds ``(category, message)`` of the warnings raised while loading; ``seconds`` the time it took.
    """

    item: ImageItem
    image: np.ndarray | None = None
    size: tuple[int, int] | None = None
    resized: np.ndarray | None = None
    error: str | None = None
    unreadable: bool = False
    warnings: list[tuple[type[Warning], str]] = field(default_factory=list)
    seconds: float = 0.0

    def show_warnings(self) -> None:
        """Re-raise the worker's warnings in this process."""
        for category, message in self.warnings:
            warnings.warn(message, category, stacklevel=2)


class ExtractionImages(Dataset):
    """``items[i]`` read, downscaled to ``max_side`` and resized to ``input_size`` (see the module docstring;
    ``input_size=None``: not resized)."""

    def __init__(self, items: Sequence[ImageItem], input_size: tuple[int, int] | None, min_side: int = 8,
                 max_side: int | None = 4096) -> None:
        self.items = list(items)
        self.input_size = None if input_size is None else tuple(input_size)
        self.min_side = min_side
        self.max_side = max_side

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> LoadedImage:
        item = self.items[index]
        start = time.perf_counter()
        loaded = LoadedImage(item)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            try:
                image = load_rgb(item.path, min_side=self.min_side)
                loaded.size = image.shape[:2]
                loaded.image = fit_max_side(image, self.max_side, name=item.path)
                if self.input_size is not None:
                    loaded.resized = resize_rgb(loaded.image, self.input_size)
            except Exception as error:  # noqa: BLE001 - one image's failure is recorded with its reason
                loaded = LoadedImage(item, error=failure_reason(error), unreadable=isinstance(error, ImageLoadError))
        loaded.warnings = [(w.category, str(w.message)) for w in caught]
        loaded.seconds = time.perf_counter() - start
        return loaded


def _collate(batch: list[LoadedImage]) -> list[LoadedImage]:
    return batch


class _LoaderWorkerInit:
    """A loader worker's start: one thread (the cores belong to the network and the cut workers), and an exit when
    the run dies (torch's own check waits for the forkserver, which waits for its workers)."""

    def __init__(self) -> None:
        self.run = (os.getpid(), process_start(os.getpid()))

    def __call__(self, worker_id: int) -> None:
        exit_with_run(*self.run)
        limit_threads(1)


def image_loader(items: Sequence[ImageItem], input_size: tuple[int, int] | None, *, batch_size: int, workers: int,
                 min_side: int = 8, max_side: int | None = 4096) -> DataLoader:
    """Batches (lists) of :class:`LoadedImage` in the order of ``items``; at most ``2 * workers`` batches are
    read ahead, so memory does not grow with the number of images. ``workers = 0`` reads in this process."""
    dataset = ExtractionImages(items, input_size, min_side, max_side)
    options = {}
    if workers > 0:
        options = dict(multiprocessing_context=worker_context(), prefetch_factor=2,
                       worker_init_fn=_LoaderWorkerInit(), persistent_workers=False)
    return DataLoader(dataset, batch_size=batch_size, shuffle=False, num_workers=workers, collate_fn=_collate,
                      **options)
