"""Extract pseudo-masks from unlabelled images into a COCO json (MaskCut / CutS3D, per the config).

    cuts3d extract CONFIG --images DIR_OR_LIST --out FILE.json
        [--depth DIR] [--work-dir DIR] [--resume] [--launcher none|pytorch] [--cfg-options KEY=VALUE ...]

(``python tools/extract_pseudo_masks.py`` runs the same code.) Many processes (one machine or many):
``torchrun --nproc-per-node N tools/extract_pseudo_masks.py ... --launcher pytorch``; each rank takes a
deterministic shard of the sorted image list, and rank 0 merges. The config's ``pseudo_mask_generator`` is the
generator; its optional ``extraction`` dict sets the runner's options (``sc_levels``, ``min_side``, ``max_side``,
``warn_after_failures``, ``dist_timeout_s``). ``--depth DIR`` replaces the depth source by ``FileDepth(root=DIR)``:
``DIR/<image path without suffix>.npy`` (or 16-bit ``.png``), else ``DIR/<image stem>.npy`` when no other image of
the run has that stem.

Before the first image the tool checks everything it can: the config and its ``extraction`` options, that the
generator builds and works on a synthetic image, that ``--out`` and ``--work-dir`` are outside the inputs and
writable, and that no other run holds the work dir. A work dir holding finished images of a run that never
merged is continued with ``--resume`` (or deleted by hand); it is never wiped silently.

Exit status:

* 0: every image is in the json.
* 3: the json was written, but some images failed; they are listed with the reason in
  ``<out stem>.failures.jsonl``. Fix (or remove) them and rerun with ``--resume`` to add them.
* 1: the run did not finish: no image could be processed (the failures file says why), or a write failed after
  processing started (the part files are kept: rerun with ``--resume``).
* 2: nothing was done: bad arguments, config, image list, output path, or a work dir in use (one line says which).
"""
from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from .arguments import (DEFAULT_DIST_TIMEOUT_S, EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, EXIT_SOME_FAILED, add_cfg_options,
                        add_image_run_arguments, check_output_paths, parser_for)

if TYPE_CHECKING:
    from cuts3d.pseudo import ExtractionSummary

PROG = 'cuts3d extract'


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = parser_for(PROG, 'Extract pseudo-masks into a COCO json.')
    parser.add_argument('config', help='config file holding pseudo_mask_generator')
    parser.add_argument('--out', required=True, help='output COCO json (outside the image folders)')
    parser.add_argument('--depth', help='folder of depth maps <image path>.npy / 16-bit .png (uses FileDepth)')
    add_image_run_arguments(parser, 'part files, manifest and lock (default: <out stem>.work)')
    add_cfg_options(parser)
    return parser.parse_args(argv)


def report(summary: ExtractionSummary) -> str:
    """The end-of-run summary printed by rank 0."""
    stages = ', '.join(f'{stage} {seconds:.2f}' for stage, seconds in summary.stage_seconds.items())
    return (f'{PROG}: wrote {summary.images_written} of {summary.num_images} images, '
            f'{summary.annotations_written} pseudo-masks -> {summary.out}\n'
            f'{PROG}: rank 0 processed {summary.processed} this run, skipped {summary.resumed} already done; '
            f'seconds per image: {stages or "n/a"}\n'
            f'{PROG}: rank 0 ran {summary.how}\n'
            f'{PROG}: {summary.failures_total} image(s) failed -> {summary.failures_file}')


def exit_status(summary: ExtractionSummary) -> tuple[int, str | None]:
    """Rank 0's exit status for a finished run, and the line that explains a non-zero one."""
    if not summary.images_written:
        return EXIT_FAILED, (f'{PROG}: error: no image was written: all {summary.num_images} failed (reasons in '
                             f'{summary.failures_file})')
    if summary.failures_total:
        return EXIT_SOME_FAILED, (f'{PROG}: {summary.failures_total} of {summary.num_images} image(s) failed and '
                                  f'are not in {summary.out} (reasons in {summary.failures_file}); fix or remove '
                                  'them, then rerun with --resume to add them')
    return EXIT_OK, None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from cuts3d.pseudo.distributed import shutdown_dist

    try:
        return _extract(args)
    finally:
        shutdown_dist()


def _error(message: str) -> None:
    print(f'{PROG}: error: {" ".join(message.splitlines())}', file=sys.stderr)


def _extract(args: argparse.Namespace) -> int:
    from cuts3d.pseudo import (ExtractionAbortedError, ExtractionRunner, ExtractionSetupError, GeneratorConfigError,
                               ImageListError, ToolConfigError, extraction_options, init_extraction_dist, list_images,
                               load_extraction_config)
    from cuts3d.pseudo.extraction_config import depth_source_note
    from cuts3d.utils.config_options import dict_merge_hint
    from cuts3d.utils.output_paths import OutputPathError

    try:
        cfg = load_extraction_config(args.config, args.cfg_options, args.depth)
        root, items = list_images(args.images)
        check_output_paths(args, root, items)
        options = extraction_options(cfg)
        timeout_s = options.pop('dist_timeout_s', DEFAULT_DIST_TIMEOUT_S)
        rank, world_size = init_extraction_dist(args.launcher, timeout_s)
        runner = ExtractionRunner(cfg.pseudo_mask_generator, items, args.out, args.work_dir, resume=args.resume,
                                  rank=rank, world_size=world_size, progress=not args.no_progress, **options)
    except GeneratorConfigError as error:
        _error(f'{error}{dict_merge_hint(args.cfg_options, str(error))}')
        return EXIT_BAD_INPUT
    except (ToolConfigError, ImageListError, OutputPathError, ValueError, OSError) as error:
        _error(str(error) if isinstance(error, ValueError) else f'{type(error).__name__}: {error}')
        return EXIT_BAD_INPUT
    try:
        summary = runner.run()
    except ExtractionSetupError as error:
        _error(str(error))
        return EXIT_BAD_INPUT
    except ExtractionAbortedError as error:
        print(f'{PROG}: aborted: {error}', file=sys.stderr)
        return EXIT_FAILED
    if rank != 0:
        return EXIT_OK
    print(report(summary))
    if depth_source_note(cfg):
        print(f'{PROG}: {depth_source_note(cfg)}', file=sys.stderr)
    status, line = exit_status(summary)
    if line:
        print(line, file=sys.stderr)
    return status


if __name__ == '__main__':
    sys.exit(main())
