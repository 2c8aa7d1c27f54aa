"""The extraction runner: sharded, resumable, failure-tolerant pseudo-mask extraction over an image list.

Every rank ``r`` of ``W`` takes ``items[r::W]`` of the sorted list (:mod:`cuts3d.pseudo.image_list`), appends one
record per finished image to its own part file under ``work_dir/parts`` (:mod:`cuts3d.pseudo.part_files`), and
records images it could not process, with the reason, in a failures part file; the run goes on. After a barrier,
rank 0 merges all part files into the COCO json (:mod:`cuts3d.pseudo.coco_writer`), written atomically, and the
failures into ``<out stem>.failures.jsonl``.

Within a rank, images go through :class:`~cuts3d.pseudo.pipeline.PipelinedShard` when the feature extractor runs on
a GPU (``pipeline='auto'``, the default) or when asked (``pipeline=True``): loader processes, batched forward passes
on the device, and a pool of cut workers overlap (``batch_size``, ``loader_workers``, ``cut_workers``,
``max_in_flight``; the config's ``extraction`` dict). Otherwise (a CPU extractor under ``'auto'``: the forward pass
already uses every core, and a cut worker beside it slowed extraction down on the 2-core machine measured in
docs/performance.md; ``pipeline=False``; or a generator that does not split into those stages) the serial loop runs,
one image after another, which is the reference the pipeline is tested against: both write the same records.

Image ids are the global sorted index + 1 and annotation ids follow image order, so a resumed run, a run split
over any number of ranks, and an uninterrupted single-process run write the same file byte for byte. ``resume``
skips the images already recorded in ``work_dir`` (whatever world size wrote them) and retries failed ones; the
work dir remembers the image list and the settings that shape the masks (generator config, ``sc_levels``,
``max_side``) in ``manifest.json`` and refuses to resume a different run.

Nothing is lost or overwritten by accident:

* The generator is built and run once on a synthetic image first (:mod:`cuts3d.pseudo.dry_run`): a configuration
  error stops the run before any image (:class:`~cuts3d.pseudo.dry_run.GeneratorConfigError`). Every later failure
  is the image's own: it goes to the failures file and the run goes on, however many fail in a row (after
  ``warn_after_failures`` in a row, one warning says so, in case the cause is a setup the dry run cannot see,
  e.g. a ``--depth`` folder without the run's files).
* Rank 0 checks at start that ``out``, the failures file and ``work_dir`` can be written, and holds an exclusive
  lock on ``work_dir`` (:mod:`cuts3d.pseudo.work_dir_lock`) until the run ends: a second run on the same work dir
  refuses with the holder's pid; a killed run's lock dies with it.
* A run without ``resume`` does not delete the finished images of an earlier run that never merged (a killed
  run); only a work dir whose last run merged (``work_dir/merged``) is started afresh. Setup refusals raise
  :class:`ExtractionSetupError` before any image is processed.
* A write that fails after processing started (a full disk) keeps the part files and raises
  :class:`ExtractionAbortedError` saying how to finish with ``resume``.
"""
from __future__ import annotations

import glob
import hashlib
import json
import os
import sys
from collections.abc import Container, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from tqdm import tqdm

from ..utils.atomic_file import write_jsonl_atomic
from ..utils.image_io import ImageLoadError, fit_max_side, load_rgb
from ..utils.output_paths import OutputPathError, check_writable_dir, check_writable_file
from ..utils.timing import StageTimer
from .coco_writer import generator_info, image_entry, to_jsonable, write_coco_json
from .distributed import barrier
from .dry_run import build_checked_generator
from .image_list import ImageItem
from .image_records import failure_reason, image_record, resize_instance
from .part_files import PartWriter, read_record_at, read_records
from .work_dir_lock import WorkDirLock, WorkDirLockedError

__all__ = ['ExtractionAbortedError', 'ExtractionRunner', 'ExtractionSetupError', 'ExtractionSummary',
           'failures_path', 'output_work_dir', 'resize_instance']

MERGED_MARKER = 'merged'


class ExtractionAbortedError(RuntimeError):
    """The run stopped after it started processing; the message says how to finish it with ``resume``."""


class ExtractionSetupError(ExtractionAbortedError):
    """The run refused to start (work dir busy, unfinished or of another run; outputs not writable)."""


@dataclass
class ExtractionSummary:
    """What one rank did, plus (on rank 0) what the merged file holds."""

    num_images: int
    resumed: int
    processed: int
    failed_here: int
    stage_seconds: dict[str, float] = field(default_factory=dict)
    how: str = 'serially, one image after another'
    images_written: int | None = None
    annotations_written: int | None = None
    failures_total: int | None = None
    out: str | None = None
    failures_file: str | None = None


class _ShardLog:
    """Appends a shard's records and failures to its part files, counts them and moves the progress bar.

    After ``warn_after`` failures of the generator in a row (unreadable files say nothing about the setup), one
    warning says so, in case the cause is a setup the dry run cannot see; the run goes on.
    """

    def __init__(self, results: PartWriter, failures: PartWriter, bar: tqdm, warn_after: int | None) -> None:
        self.results = results
        self.failures_file = failures
        self.bar = bar
        self.warn_after = warn_after
        self.processed = self.failures = self.consecutive = 0

    def done(self, record: dict) -> None:
        self.results.append(record)
        self.processed += 1
        self.consecutive = 0
        self.bar.update()

    def failed(self, item: ImageItem, reason: str, unreadable: bool) -> None:
        self.failures_file.append({'index': item.index, 'file_name': item.rel_path, 'path': item.path,
                                   'reason': reason})
        self.failures += 1
        self.consecutive = self.consecutive if unreadable else self.consecutive + 1
        if self.consecutive == self.warn_after:
            self.bar.write(f'warning: the generator failed on {self.consecutive} images in a row (last: '
                           f'{item.path}: {reason}); they are recorded in the failures file and the run goes on. '
                           'If the setup is wrong, stop it and fix that; --resume retries them.', file=sys.stderr)
        self.bar.update()


def failures_path(out: str) -> str:
    """Where the merged failures of ``out`` go: ``<out without .json>.failures.jsonl``."""
    return f'{os.path.splitext(out)[0]}.failures.jsonl'


def failure_record(path: str, file_name: str, reason: str) -> dict[str, str]:
    """One line of a failures file: the image's ``path``, its ``file_name`` relative to the image root, ``reason``."""
    return {'path': path, 'file_name': file_name, 'reason': reason}


def output_work_dir(out: str) -> str:
    """The work dir of the extraction writing ``out`` when none is given: ``<out without .json>.work``, stable
    across resumes. (The detector tools' work dir follows mmdet's rule instead:
    :func:`cuts3d.cli_config.config_work_dir`.)"""
    return f'{os.path.splitext(out)[0]}.work'


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


class ExtractionRunner:
    """Runs a pseudo-mask generator over this rank's shard and (rank 0) merges the result.

    Args:
        generator_cfg: PSEUDO_MASK_GENERATORS config (recorded in the json's ``info``).
        items: the whole sorted image list (every rank gets the same list).
        out: the final COCO json.
        work_dir: part files, manifest; default :func:`output_work_dir`.
        resume: skip images already recorded in ``work_dir``.
        rank, world_size: this process's shard.
        sc_levels: Spatial Confidence level sets per mask (:mod:`cuts3d.structures.rle`).
        min_side: images with a shorter side fail (:class:`~cuts3d.utils.ImageTooSmallError`).
        max_side: longer images are processed downscaled; their masks are resized back to the full size.
        warn_after_failures: warn once per streak of this many failures in a row (None: never); never aborts.
        progress: show a progress bar with ETA on rank 0.
        pipeline: True: run the shard pipelined (:mod:`cuts3d.pseudo.pipeline`) when the generator allows it;
            False: one image after another in this process (the reference); ``'auto'``: pipelined when the feature
            extractor is on a GPU.
        batch_size, loader_workers, cut_workers, max_in_flight: the pipeline's images per forward pass, image loader
            processes, cut worker processes, and bound on the images between the device and their record (memory);
            ``'auto'`` picks them for the feature extractor's device and the CPUs
            (:func:`~cuts3d.pseudo.pipeline.resolve_settings`).

    Building runs the generator once on a synthetic image (:func:`~cuts3d.pseudo.dry_run.build_checked_generator`)
    and raises :class:`~cuts3d.pseudo.dry_run.GeneratorConfigError` when it fails. Subclasses that run another kind
    of per-image component (``tools/predict_depth.py``'s :class:`~cuts3d.pseudo.depth_runner.DepthPredictionRunner`)
    override ``_build``, ``_process`` and ``_merge``.
    """

    def __init__(self, generator_cfg: dict, items: Sequence[ImageItem], out: str, work_dir: str | None = None, *,
                 resume: bool = False, rank: int = 0, world_size: int = 1, sc_levels: int = 6, min_side: int = 8,
                 max_side: int | None = 4096, warn_after_failures: int | None = 20,
                 progress: bool = True, pipeline: bool | str = 'auto', batch_size: int | str = 'auto',
                 loader_workers: int | str = 'auto', cut_workers: int | str = 'auto',
                 max_in_flight: int | str = 'auto') -> None:
        if not 0 <= rank < world_size:
            raise ValueError(f'rank {rank} is not in [0, world_size={world_size})')
        if sc_levels < 1:
            raise ValueError(f'sc_levels must be >= 1, got {sc_levels}')
        if min_side < 1 or (max_side is not None and max_side < 1):
            raise ValueError(f'min_side and max_side must be >= 1, got {min_side}, {max_side}')
        self.generator_cfg = generator_cfg
        self.generator = self._build(generator_cfg, sc_levels)
        self.items = list(items)
        self.out = os.path.abspath(out)
        self.work_dir = os.path.abspath(work_dir or output_work_dir(out))
        self.parts_dir = os.path.join(self.work_dir, 'parts')
        self.resume = resume
        self.rank = rank
        self.world_size = world_size
        self.sc_levels = int(sc_levels)
        self.min_side = int(min_side)
        self.max_side = max_side
        self.warn_after_failures = warn_after_failures
        self.progress = progress
        if pipeline not in (True, False, 'auto'):
            raise ValueError(f"pipeline must be True, False or 'auto', got {pipeline!r}")
        self.pipeline = pipeline
        self.pipeline_options = dict(batch_size=batch_size, loader_workers=loader_workers, cut_workers=cut_workers,
                                     max_in_flight=max_in_flight)
        self._timer = StageTimer()
        self._how = ExtractionSummary.how

    def _build(self, cfg: dict, sc_levels: int) -> Any:
        """The per-image component: the pseudo-mask generator, checked by a dry run."""
        return build_checked_generator(cfg, sc_levels)

    # ----------------------------------------------------------------------------------------- work dir
    def _part(self, kind: str, rank: int) -> str:
        return os.path.join(self.parts_dir, f'{kind}-rank{rank:05d}.jsonl')

    def _parts(self, kind: str) -> list[str]:
        return sorted(glob.glob(os.path.join(self.parts_dir, f'{kind}-rank*.jsonl')))

    def _manifest(self) -> dict:
        return {'num_images': len(self.items),
                'images_sha256': _digest([item.rel_path for item in self.items]),
                'generator_sha256': _digest([to_jsonable(self.generator_cfg), self.sc_levels, self.max_side])}

    def _check_outputs(self) -> None:
        """Rank 0, before anything: ``out``, the failures file and the work dir can be written now."""
        try:
            check_writable_file(self.out, '--out')
            check_writable_file(failures_path(self.out), 'the failures file')
            check_writable_dir(self.parts_dir, f'--work-dir {self.work_dir}')
        except OutputPathError as error:
            raise ExtractionSetupError(str(error)) from error

    def _prepare_work_dir(self) -> None:
        """Rank 0, holding the lock: keep the parts (``resume``) or start afresh; write the manifest.

        Without ``resume``, the parts of a run that merged are deleted; those of a run that never merged (killed,
        or failed late) are finished work, and the run refuses instead of deleting them.
        """
        os.makedirs(self.parts_dir, exist_ok=True)
        manifest_file = os.path.join(self.work_dir, 'manifest.json')
        marker = os.path.join(self.work_dir, MERGED_MARKER)
        if not self.resume:
            results = [path for path in self._parts('results') if os.path.getsize(path)]
            if results and not os.path.exists(marker):
                done = sum(1 for path in results for _ in read_records(path))
                raise ExtractionSetupError(
                    f'--work-dir {self.work_dir} holds {done} finished image(s) of a run that did not finish; '
                    'continue it with --resume, or delete that folder to start afresh')
            for path in self._parts('results') + self._parts('failures'):
                os.remove(path)
        if os.path.exists(marker):
            os.remove(marker)
        if not self.resume or not os.path.exists(manifest_file):
            with open(manifest_file, 'w', encoding='utf-8') as handle:
                json.dump(self._manifest(), handle, indent=1)

    def _check_manifest(self) -> None:
        with open(os.path.join(self.work_dir, 'manifest.json'), encoding='utf-8') as handle:
            recorded = json.load(handle)
        if recorded != self._manifest():
            changed = [key for key, value in self._manifest().items() if recorded.get(key) != value]
            raise ExtractionSetupError(
                f'--resume: {self.work_dir} belongs to another run (different {", ".join(changed)}); '
                'use another --work-dir, or delete this one to start afresh')

    def _finished_indices(self) -> set[int]:
        return {record['index'] for path in self._parts('results') for _, record in read_records(path)}

    # ----------------------------------------------------------------------------------------- one image
    def _process(self, item: ImageItem) -> dict:
        """Load one image, run the generator, and return its part-file record (the serial loop)."""
        with self._timer('load'):
            image = load_rgb(item.path, min_side=self.min_side)
            work = fit_max_side(image, self.max_side, name=item.path)
        instances = self.generator(work, item.meta())
        for stage, seconds in getattr(self.generator, 'timings', {}).items():
            self._timer.seconds[stage] = self._timer.seconds.get(stage, 0.0) + seconds
        with self._timer('encode'):
            return image_record(item, image.shape[:2], work.shape[:2], instances, self.sc_levels)

    def _pipelined_shard(self) -> Any:
        """The :class:`~cuts3d.pseudo.pipeline.PipelinedShard` of this run, or None to run serially."""
        from .cut_pool import CutPoolError
        from .pipeline import PipelinedShard, extractor_device, resolve_settings, supports_pipeline

        if self.pipeline is False or type(self)._process is not ExtractionRunner._process:
            return None
        device = extractor_device(self.generator)
        if self.pipeline == 'auto' and not device.startswith('cuda'):
            self._how = f"serially, one image after another (extraction.pipeline='auto' with the features on {device})"
            return None
        if not supports_pipeline(self.generator):
            if self.rank == 0:
                print(f'note: {type(self.generator).__name__} does not split into features and a cut stage; '
                      'extracting one image after another', file=sys.stderr)
            return None
        settings = resolve_settings(**self.pipeline_options, device=device)
        try:
            return PipelinedShard(self.generator, settings, sc_levels=self.sc_levels, min_side=self.min_side,
                                  max_side=self.max_side, timer=self._timer)
        except CutPoolError as error:
            raise ExtractionSetupError(str(error)) from error

    def _run_shard(self, todo: list[ImageItem]) -> tuple[int, int]:
        """Process ``todo``, appending to this rank's part files; returns ``(processed, failed)``."""
        bar = tqdm(total=len(todo), desc=f'extract (rank 0 of {self.world_size})', unit='img', dynamic_ncols=True,
                   disable=not self.progress or self.rank != 0)
        self._how = ExtractionSummary.how
        shard = self._pipelined_shard()
        if shard is not None:
            self._how = f'pipelined: {shard.settings.describe()}'
        try:
            with PartWriter(self._part('results', self.rank)) as results, \
                    PartWriter(self._part('failures', self.rank)) as failures:
                log = _ShardLog(results, failures, bar, self.warn_after_failures)
                if shard is not None:
                    shard.run(todo, log.done, log.failed)
                    return log.processed, log.failures
                for item in todo:
                    try:
                        record = self._process(item)
                    except Exception as error:  # noqa: BLE001 - one image's failure is recorded with its reason
                        log.failed(item, failure_reason(error), isinstance(error, ImageLoadError))
                        continue
                    log.done(record)
                return log.processed, log.failures
        finally:
            bar.close()
            if shard is not None:
                shard.close()

    # ----------------------------------------------------------------------------------------- merge
    def _merge(self, summary: ExtractionSummary) -> None:
        """Rank 0: all part files -> the COCO json (atomic) and the failures file.

        Only an index of the records (file, offset, image size) is kept in memory; annotations are streamed from
        the part files into the json in image order.
        """
        entries: dict[int, tuple[str, int, dict]] = {}
        for path in self._parts('results'):
            for offset, record in read_records(path):
                if record['index'] not in entries:
                    image = image_entry(record['index'] + 1, record['file_name'], record['width'],
                                        record['height'])
                    entries[record['index']] = (path, offset, image)
        order = sorted(entries)
        count = 0

        def annotations() -> Iterator[dict]:
            nonlocal count
            handles: dict[str, IO[bytes]] = {}
            try:
                for index in order:
                    path, offset, _ = entries[index]
                    if path not in handles:
                        handles[path] = open(path, 'rb')
                    for annotation in read_record_at(handles[path], offset)['annotations']:
                        count += 1
                        yield {'id': count, 'image_id': index + 1, **annotation}
            finally:
                for handle in handles.values():
                    handle.close()

        info = generator_info(self.generator_cfg, self.sc_levels)
        write_coco_json(self.out, info, (entries[index][2] for index in order), annotations())
        summary.images_written = len(order)
        summary.annotations_written = count
        self._write_failures(entries, summary)

    def _write_failures(self, done: Container[int], summary: ExtractionSummary) -> None:
        """Rank 0: the images of the failure part files that no result part file holds -> ``<out>.failures.jsonl``
        (atomic), with their reasons; fills the summary's failure fields and ``out``."""
        failures: dict[int, dict] = {}
        for path in self._parts('failures'):
            for _, record in read_records(path):
                failures[record['index']] = record
        failed = [failures[index] for index in sorted(failures) if index not in done]
        failures_file = failures_path(self.out)
        write_jsonl_atomic(failures_file, (failure_record(record['path'], record['file_name'], record['reason'])
                                           for record in failed))
        summary.failures_total = len(failed)
        summary.out = self.out
        summary.failures_file = failures_file

    # ----------------------------------------------------------------------------------------- run
    def run(self) -> ExtractionSummary:
        """Extract this rank's shard, then (rank 0) merge; every rank returns its summary.

        Raises :class:`ExtractionSetupError` when the run refuses to start, :class:`ExtractionAbortedError` when a
        write fails after processing started (the part files are kept for ``resume``).
        """
        lock = WorkDirLock(self.work_dir) if self.rank == 0 else None
        try:
            if lock is not None:
                self._check_outputs()
                try:
                    lock.acquire()
                    self._prepare_work_dir()
                except WorkDirLockedError as error:
                    raise ExtractionSetupError(str(error)) from error
                except OSError as error:
                    raise ExtractionSetupError(f'cannot prepare --work-dir {self.work_dir}: '
                                               f'{error.strerror or error}') from error
            barrier()
            self._check_manifest()
            finished = self._finished_indices() if self.resume else set()
            barrier()  # everyone has read the part files before anyone appends
            shard = self.items[self.rank::self.world_size]
            todo = [item for item in shard if item.index not in finished]
            self._timer.reset()
            try:
                processed, failed = self._run_shard(todo)
            except OSError as error:
                raise ExtractionAbortedError(self._late_failure(f'writing the part files in {self.parts_dir}',
                                                                error)) from error
            summary = ExtractionSummary(
                num_images=len(self.items), resumed=len(shard) - len(todo), processed=processed, failed_here=failed,
                stage_seconds={stage: seconds / max(processed, 1) for stage, seconds in self._timer.seconds.items()},
                how=self._how)
            barrier()
            if self.rank == 0:
                try:
                    self._merge(summary)
                    with open(os.path.join(self.work_dir, MERGED_MARKER), 'w', encoding='utf-8') as handle:
                        handle.write(f'{self.out}\n')
                except OSError as error:
                    raise ExtractionAbortedError(self._late_failure(f'writing {self.out}', error)) from error
            return summary
        finally:
            if lock is not None:
                lock.release()

    def _late_failure(self, action: str, error: OSError) -> str:
        """The message of a write that failed after processing started: what failed, and how to finish."""
        reason = error.strerror or str(error)
        target = f' ({error.filename})' if error.filename else ''
        return (f'{action} failed{target}: {reason}. The finished images are kept in {self.parts_dir}; fix '
                'the cause (e.g. free disk space), then rerun the same command with --resume to finish')
