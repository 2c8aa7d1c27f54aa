"""The depth pass alone: one 16-bit depth PNG per image, sharded over ranks and resumable like extraction.

The CutS3D paper predicts depth for ImageNet once and reuses it for every ablation. This runner is the extraction
runner (:class:`~cuts3d.pseudo.runner.ExtractionRunner`: sorted image list, rank shards, append-only part files,
``resume``, per-image failures, a manifest that refuses to resume another run) with a depth source in place of the
pseudo-mask generator: each image's depth, in the depth-source contract, is written to
``out/<image path without suffix>.png`` (:mod:`cuts3d.depth.depth_png`: 16 bits plus the scale), which
``FileDepth`` and ``tools/extract_pseudo_masks.py --depth out`` read back exactly. Rank 0 then writes the failures
file ``<out>.failures.jsonl`` and ``out/cuts3d_depth.json`` (the depth source config, the code version, the number of
maps).
"""
from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from typing import Any

from ..depth.depth_png import LEVELS, write_depth_png
from ..registry import DEPTH_SOURCES, build_component
from ..utils.atomic_file import write_json_atomic
from ..utils.image_io import fit_max_side, load_rgb
from ..utils.output_paths import OutputPathError, check_writable_dir, check_writable_file
from ..version import __version__
from .coco_writer import to_jsonable
from .image_list import ImageItem
from .part_files import read_records
from .runner import ExtractionRunner, ExtractionSetupError, ExtractionSummary, failures_path

INFO_FILE = 'cuts3d_depth.json'


def depth_png_path(rel_path: str) -> str:
    """Where an image's depth map goes, relative to the output folder: its path with ``.png`` as suffix."""
    return f'{os.path.splitext(rel_path)[0]}.png'


class DepthPredictionRunner(ExtractionRunner):
    """Runs a depth source over this rank's shard, writing one PNG per image, and (rank 0) the run's summary.

    Args:
        depth_cfg: DEPTH_SOURCES config (recorded in ``out/cuts3d_depth.json`` and in the manifest).
        items: the whole sorted image list (every rank gets the same list).
        out: the output folder of the depth PNGs.
        work_dir, resume, rank, world_size, min_side, max_side, warn_after_failures, progress: as for
            :class:`~cuts3d.pseudo.runner.ExtractionRunner`. An image longer than ``max_side`` is processed (and
            stored) downscaled; ``FileDepth`` resizes the map back to the image.
    """

    def __init__(self, depth_cfg: dict, items: Sequence[ImageItem], out: str, work_dir: str | None = None, *,
                 resume: bool = False, rank: int = 0, world_size: int = 1, min_side: int = 8,
                 max_side: int | None = 4096, warn_after_failures: int | None = 20,
                 progress: bool = True) -> None:
        clashes = [path for path, count in Counter(depth_png_path(i.rel_path) for i in items).items() if count > 1]
        if clashes:
            raise ValueError(f'{len(clashes)} depth map path(s) would be shared by several images (same path, '
                             f'different suffix), e.g. {clashes[0]}; rename those images')
        super().__init__(depth_cfg, items, out, work_dir, resume=resume, rank=rank, world_size=world_size,
                         min_side=min_side, max_side=max_side, warn_after_failures=warn_after_failures,
                         progress=progress)

    def _build(self, cfg: dict, sc_levels: int) -> Any:
        """The depth source (no dry run: building a network source loads its weights, which is the check)."""
        return build_component(cfg, DEPTH_SOURCES)

    def _check_outputs(self) -> None:
        """Rank 0, before anything: the output folder, the failures file and the work dir can be written now."""
        try:
            check_writable_dir(self.out, '--out')
            check_writable_file(failures_path(self.out), 'the failures file')
            check_writable_dir(self.parts_dir, f'--work-dir {self.work_dir}')
        except OutputPathError as error:
            raise ExtractionSetupError(str(error)) from error

    def _process(self, item: ImageItem) -> dict:
        """Load one image, predict its depth, write the PNG, and return its part-file record."""
        with self._timer('load'):
            image = load_rgb(item.path, min_side=self.min_side)
            height, width = image.shape[:2]
            work = fit_max_side(image, self.max_side, name=item.path)
        with self._timer('depth'):
            depth = self.generator(work, item.meta())
        rel_png = depth_png_path(item.rel_path)
        with self._timer('write'):
            write_depth_png(os.path.join(self.out, rel_png), depth, source=str(self.generator_cfg.get('type')))
        return {'index': item.index, 'file_name': item.rel_path, 'depth': rel_png, 'width': width,
                'height': height}

    def _merge(self, summary: ExtractionSummary) -> None:
        """Rank 0: the failures file (images without a depth map, with the reason) and ``out/cuts3d_depth.json``."""
        done: set[int] = set()
        for path in self._parts('results'):
            done.update(record['index'] for _, record in read_records(path))
        write_json_atomic(os.path.join(self.out, INFO_FILE), {
            'description': 'cuts3d depth maps: <image path without suffix>.png, 16-bit, '
                           f'depth = (value - 1) / {LEVELS} in [0, 1] (larger = farther), 0 = unknown',
            'cuts3d_version': __version__, 'depth_source': to_jsonable(self.generator_cfg), 'num_maps': len(done)})
        summary.images_written = len(done)
        self._write_failures(done, summary)
