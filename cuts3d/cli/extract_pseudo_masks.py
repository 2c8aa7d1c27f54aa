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
import os
import sys
from typing import TYPE_CHECKING

from .arguments import LAUNCHERS, add_cfg_options, parser_for

if TYPE_CHECKING:
    from cuts3d.pseudo import ExtractionSummary, ImageItem

PROG = 'cuts3d extract'
DEFAULT_DIST_TIMEOUT_S = 24 * 3600
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_SOME_FAILED = 0, 1, 2, 3


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = parser_for(PROG, 'Extract pseudo-masks into a COCO json.')
    parser.add_argument('config', help='config file holding pseudo_mask_generator')
    parser.add_argument('--images', required=True,
                        help='image folder (searched recursively), one image, or a list file (one path per line)')
    parser.add_argument('--out', required=True, help='output COCO json (outside the image folders)')
    parser.add_argument('--depth', help='folder of depth maps <image path>.npy / 16-bit .png (uses FileDepth)')
    parser.add_argument('--work-dir', help='part files, manifest and lock (default: <out stem>.work)')
    parser.add_argument('--resume', action='store_true', help='continue the run recorded in --work-dir')
    parser.add_argument('--launcher', choices=LAUNCHERS, default='none', help='pytorch: started by torchrun')
    parser.add_argument('--no-progress', action='store_true', help='no progress bar')
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


def check_output_paths(args: argparse.Namespace, root: str, items: list[ImageItem]) -> None:
    """Refuse an ``--out`` or ``--work-dir`` that is an input or lies inside the image (or depth) folders.

    The image folders are the ``--images`` folder, or for a list file (or one image) each folder holding a listed
    image.
    """
    from cuts3d.pseudo.runner import output_work_dir, failures_path
    from cuts3d.utils.output_paths import refuse_inputs

    if os.path.isdir(args.images):
        trees = [('the --images folder', root)]
    else:
        folders = sorted({os.path.dirname(item.path) for item in items})
        trees = [('a folder holding input images', folder) for folder in folders]
    if args.depth:
        trees.append(('the --depth folder', args.depth))
    files = [('the config file', args.config)]
    if os.path.isfile(args.images):
        files.append(('the --images file', args.images))
    work_dir = args.work_dir or output_work_dir(args.out)
    for what, path in (('--out', args.out), ('the failures file', failures_path(args.out)),
                       ('--work-dir', work_dir)):
        refuse_inputs(path, what, files, trees)


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
