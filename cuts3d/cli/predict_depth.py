"""Predict depth for an image collection once, as 16-bit PNGs that ``--depth`` and ``FileDepth`` read back exactly.

    cuts3d predict-depth CONFIG --images DIR_OR_LIST --out DEPTH_DIR
        [--work-dir DIR] [--resume] [--launcher none|pytorch] [--cfg-options KEY=VALUE ...]

(``python tools/predict_depth.py`` runs the same code.) The depth source is the config's ``depth_source``, or else
its ``pseudo_mask_generator.depth_source`` (so a method config works as it is:
``configs/cuts3d/ablations/table8_marigold.py``). Each image's depth goes to ``DEPTH_DIR/<image path without
suffix>.png``; then ``cuts3d extract CONFIG --images DIR --depth DEPTH_DIR`` reuses it for every ablation. Many
processes: ``torchrun --nproc-per-node N tools/predict_depth.py ... --launcher pytorch`` (each rank takes a shard
of the sorted image list, as extraction does); ``--resume`` skips the images already done. The config's optional
``extraction`` dict sets ``min_side``, ``max_side``, ``warn_after_failures`` and ``dist_timeout_s``.

Exit status (as ``cuts3d extract``): 0 when every image has its depth map; 3 when some failed (listed
with the reason in ``DEPTH_DIR.failures.jsonl``; rerun with ``--resume`` to add them); 1 when no depth map was
written or a write failed after processing started; 2 with a one-line reason on bad input (config, image list, an
output path inside the inputs, a work dir in use).
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from .arguments import (DEFAULT_DIST_TIMEOUT_S, EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, EXIT_SOME_FAILED, add_cfg_options,
                        add_image_run_arguments, check_output_paths, parser_for)

if TYPE_CHECKING:
    from mmengine.config import Config

    from cuts3d.pseudo import ExtractionSummary

PROG = 'cuts3d predict-depth'
RUNNER_OPTIONS = ('min_side', 'max_side', 'warn_after_failures')


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = parser_for(PROG, 'Predict depth maps (16-bit PNG) for a set of images.')
    parser.add_argument('config', help='config holding depth_source or pseudo_mask_generator.depth_source')
    parser.add_argument('--out', required=True, help='output folder of the depth PNGs')
    add_image_run_arguments(parser, 'part files and manifest (default: <out>.work)')
    add_cfg_options(parser)
    return parser.parse_args(argv)


def depth_source_config(cfg: Config, path: str) -> dict:
    """``cfg.depth_source``, else ``cfg.pseudo_mask_generator.depth_source``; a model-based one, not files."""
    from cuts3d.pseudo import ToolConfigError

    source = cfg.get('depth_source') or (cfg.get('pseudo_mask_generator') or {}).get('depth_source')
    if not source:
        raise ToolConfigError(f'config {path} has neither depth_source nor pseudo_mask_generator.depth_source')
    if source.get('type') == 'FileDepth':
        raise ToolConfigError(f'config {path}: the depth source reads files ({source.get("root")}); predict_depth '
                              'needs a model, e.g. --cfg-options "depth_source={\'type\': \'ZoeDepth\'}"')
    return source


def report(summary: ExtractionSummary) -> str:
    """The end-of-run summary printed by rank 0."""
    stages = ', '.join(f'{stage} {seconds:.2f}' for stage, seconds in summary.stage_seconds.items())
    return (f'{PROG}: wrote {summary.images_written} of {summary.num_images} depth maps -> {summary.out}\n'
            f'{PROG}: rank 0 processed {summary.processed} this run, skipped {summary.resumed} already done; '
            f'seconds per image: {stages or "n/a"}\n'
            f'{PROG}: {summary.failures_total} image(s) failed -> {summary.failures_file}')


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from cuts3d.pseudo import shutdown_dist

    try:
        return _predict(args)
    finally:
        shutdown_dist()


def load_config(path: str, options: dict | None) -> Config:
    """The config file with ``--cfg-options`` merged (:func:`cuts3d.utils.config_options.read_config`)."""
    from cuts3d.pseudo import ToolConfigError
    from cuts3d.utils.config_options import ConfigFileError, read_config

    if not os.path.isfile(path):
        raise ToolConfigError(f'config {path} does not exist')
    try:
        return read_config(path, options)
    except ConfigFileError as error:
        raise ToolConfigError(str(error)) from error


def _predict(args: argparse.Namespace) -> int:
    from cuts3d.pseudo import (DepthPredictionRunner, ExtractionAbortedError, ExtractionSetupError, ImageListError,
                               ToolConfigError, init_extraction_dist, list_images)
    from cuts3d.registry import UnknownComponentError
    from cuts3d.utils.output_paths import OutputPathError
    from cuts3d.weights import CheckpointError

    try:
        cfg = load_config(args.config, args.cfg_options)
        depth_cfg = depth_source_config(cfg, args.config)
        root, items = list_images(args.images)
        check_output_paths(args, root, items)
        options = dict(cfg.get('extraction') or {})
        timeout_s = options.get('dist_timeout_s', DEFAULT_DIST_TIMEOUT_S)
        rank, world_size = init_extraction_dist(args.launcher, timeout_s)
        runner = DepthPredictionRunner(depth_cfg, items, args.out, args.work_dir, resume=args.resume, rank=rank,
                                       world_size=world_size, progress=not args.no_progress,
                                       **{key: options[key] for key in RUNNER_OPTIONS if key in options})
    except (ToolConfigError, ImageListError, OutputPathError, UnknownComponentError, CheckpointError, OSError,
            SyntaxError, TypeError, ValueError, KeyError) as error:
        print(f'{PROG}: error: {type(error).__name__}: {error}', file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        summary = runner.run()
    except ExtractionSetupError as error:
        print(f'{PROG}: error: {error}', file=sys.stderr)
        return EXIT_BAD_INPUT
    except ExtractionAbortedError as error:
        print(f'{PROG}: aborted: {error}', file=sys.stderr)
        return EXIT_FAILED
    if rank != 0:
        return EXIT_OK
    print(report(summary))
    if not summary.images_written:
        print(f'{PROG}: error: no depth map was written (reasons in {summary.failures_file})', file=sys.stderr)
        return EXIT_FAILED
    if summary.failures_total:
        print(f'{PROG}: {summary.failures_total} image(s) have no depth map: see {summary.failures_file}; fix them '
              'and rerun with --resume', file=sys.stderr)
        return EXIT_SOME_FAILED
    return EXIT_OK


if __name__ == '__main__':
    sys.exit(main())
