"""Extract pseudo-masks from unlabelled images into a COCO json (MaskCut / CutS3D, per the config).

    python tools/extract_pseudo_masks.py CONFIG --images DIR_OR_LIST --out FILE.json
        [--depth DIR] [--work-dir DIR] [--resume] [--launcher none|pytorch] [--cfg-options KEY=VALUE ...]

Many processes (one machine or many): ``torchrun --nproc-per-node N tools/extract_pseudo_masks.py ...
--launcher pytorch``; each rank takes a deterministic shard of the sorted image list, and rank 0 merges. The
config's ``pseudo_mask_generator`` is the generator; its optional ``extraction`` dict sets the runner's options
(``sc_levels``, ``min_side``, ``max_side``, ``max_consecutive_failures``, ``dist_timeout_s``). ``--depth DIR``
replaces the depth source by ``FileDepth(root=DIR)`` (``DIR/<image stem>.npy`` or 16-bit ``.png``).

Exit status: 0 when the file was written (images that could not be processed are listed in
``<out stem>.failures.jsonl``), 2 with a one-line reason on bad input, 1 when the run was aborted.
"""
from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from mmengine.config import DictAction

if TYPE_CHECKING:
    from cuts3d.pseudo import ExtractionSummary

PROG = 'extract_pseudo_masks.py'
DEFAULT_DIST_TIMEOUT_S = 24 * 3600


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=PROG, description='Extract pseudo-masks into a COCO json.')
    parser.add_argument('config', help='config file holding pseudo_mask_generator')
    parser.add_argument('--images', required=True,
                        help='image folder (searched recursively), one image, or a list file (one path per line)')
    parser.add_argument('--out', required=True, help='output COCO json')
    parser.add_argument('--depth', help='folder of depth maps <stem>.npy / 16-bit <stem>.png (uses FileDepth)')
    parser.add_argument('--work-dir', help='part files and manifest (default: <out stem>.work)')
    parser.add_argument('--resume', action='store_true', help='skip images already recorded in --work-dir')
    parser.add_argument('--launcher', choices=('none', 'pytorch'), default='none', help='pytorch: started by torchrun')
    parser.add_argument('--no-progress', action='store_true', help='no progress bar')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config keys, key=value')
    return parser.parse_args(argv)


def report(summary: ExtractionSummary) -> str:
    """The end-of-run summary printed by rank 0."""
    stages = ', '.join(f'{stage} {seconds:.2f}' for stage, seconds in summary.stage_seconds.items())
    return (f'{PROG}: wrote {summary.images_written} of {summary.num_images} images, '
            f'{summary.annotations_written} pseudo-masks -> {summary.out}\n'
            f'{PROG}: rank 0 processed {summary.processed} this run, skipped {summary.resumed} already done; '
            f'seconds per image: {stages or "n/a"}\n'
            f'{PROG}: {summary.failures_total} image(s) failed -> {summary.failures_file}')


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from cuts3d.pseudo import shutdown_dist  # after parsing: --help stays fast
    try:
        return _extract(args)
    finally:
        shutdown_dist()


def _extract(args: argparse.Namespace) -> int:
    from cuts3d.engine.checkpoint import CheckpointError
    from cuts3d.pseudo import (ExtractionAbortedError, ExtractionRunner, ImageListError, ToolConfigError,
                               init_extraction_dist, list_images, load_extraction_config)
    from cuts3d.registry import UnknownComponentError
    try:
        cfg = load_extraction_config(args.config, args.cfg_options, args.depth)
        _, items = list_images(args.images)
        options = dict(cfg.get('extraction') or {})
        timeout_s = options.pop('dist_timeout_s', DEFAULT_DIST_TIMEOUT_S)
        rank, world_size = init_extraction_dist(args.launcher, timeout_s)
        runner = ExtractionRunner(cfg.pseudo_mask_generator, items, args.out, args.work_dir, resume=args.resume,
                                  rank=rank, world_size=world_size, progress=not args.no_progress, **options)
    except (ToolConfigError, ImageListError, UnknownComponentError, CheckpointError, OSError, SyntaxError, TypeError,
            ValueError, KeyError) as error:
        print(f'{PROG}: error: {type(error).__name__}: {error}', file=sys.stderr)
        return 2
    try:
        summary = runner.run()
    except ExtractionAbortedError as error:
        print(f'{PROG}: aborted: {error}', file=sys.stderr)
        return 1
    if rank == 0:
        print(report(summary))
    return 0


if __name__ == '__main__':
    sys.exit(main())
