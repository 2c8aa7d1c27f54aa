"""Evaluate a trained detector class-agnostically on COCO-format ground truth.

    cuts3d test CONFIG CHECKPOINT [--gt ANN.json --images DIR] [--out METRICS.json]
                       [--predictions RESULTS.pkl] [--work-dir DIR] [--launcher none|pytorch|slurm]
                       [--cfg-options KEY=VALUE ...]

(``python tools/test.py`` runs the same code.) Photos without ground truth: ``cuts3d infer``.

The config's ``test_evaluator`` is the :class:`ClassAgnosticCocoMetric` (every GT category merged into one): box
and mask AP, AP50, AP75, AP_s/m/l, AR@1/10/100, AR_s/m/l. ``--gt`` / ``--images`` point dataset and metric at any
other COCO-format ground truth (LVIS, VOC or KITTI converted to COCO, ...). ``--out`` writes the numbers as
``{"bbox": {"AP": ..., "AR100": ...}, "segm": {...}}`` (fractions; the layout of ``cuts3d eval``),
``--predictions`` the raw predictions (mmdet's ``DumpDetResults`` pickle, e.g. for ``cuts3d visualize``).
Multi-GPU: ``bash tools/dist_test.sh``.

Before evaluating, the ground truth is validated (valid COCO: known image ids, finite boxes, masks of their
image's size, ``area`` and ``iscrowd``), ``--out`` / ``--predictions`` must be writable and not an input, and the
checkpoint must be readable and provide every weight of the model (:mod:`cuts3d.engine.checkpoint_coverage`): a
checkpoint of another model used to be evaluated with random weights. ``--allow-partial`` evaluates one that lacks
some weights anyway (they keep their initial values; the log lists them).

Exit status: 0 when the metrics were computed (and written); 2 with one line saying what is wrong (nothing was
evaluated).
"""
from __future__ import annotations

import argparse
import json
import os
import os.path as osp
import sys
from typing import TYPE_CHECKING

from .arguments import RUNNER_LAUNCHERS, add_cfg_options, parser_for

if TYPE_CHECKING:
    from mmengine.runner import Runner

PROG = 'cuts3d test'


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = parser_for(PROG, 'Class-agnostic COCO evaluation of a detector')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--gt', help='COCO-format ground-truth json (overrides the config test set)')
    parser.add_argument('--images', help='image folder of --gt (file_name in the json is relative to it)')
    parser.add_argument('--out', help='write the metrics to this json file')
    parser.add_argument('--predictions', help='dump the predictions to this .pkl (mmdet DumpDetResults)')
    parser.add_argument('--work-dir', help='where logs go (default ./work_dirs/<config name>)')
    parser.add_argument('--allow-partial', action='store_true',
                        help='evaluate a checkpoint that lacks some of the model\'s weights (they stay initial)')
    parser.add_argument('--launcher', choices=RUNNER_LAUNCHERS, default='none', help='job launcher')
    add_cfg_options(parser)
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    if (args.gt is None) != (args.images is None):
        parser.error('--gt and --images go together')
    if args.predictions and not args.predictions.endswith('.pkl'):
        parser.error('--predictions must end with .pkl')
    return args


def build_runner(args: argparse.Namespace) -> Runner:
    """The Runner for ``args``; raises :class:`RunConfigError` with a one-line reason on a config it cannot run."""
    from cuts3d.cli_config import (RunConfigError, adapt_to_machine, check_annotation_file,
                                   check_dataset_files, config_work_dir, load_config, require_keys,
                                   runner_from_config)
    from cuts3d.engine.self_training import annotated_dataset

    cfg = load_config(args.config, args.cfg_options)
    require_keys(cfg, ('model', 'test_dataloader', 'test_evaluator', 'test_cfg'), 'testing')
    if not osp.isfile(args.checkpoint):
        raise RunConfigError(f'checkpoint not found: {args.checkpoint}')
    if args.gt:
        dataset = annotated_dataset(cfg.test_dataloader.dataset)
        dataset.update(data_root='', ann_file=osp.abspath(args.gt), data_prefix=dict(img=osp.abspath(args.images)))
        cfg.test_evaluator.ann_file = osp.abspath(args.gt)
    check_dataset_files(cfg, 'test_dataloader')
    check_annotation_file(cfg, 'test_dataloader', evaluated=True)
    check_outputs(args)
    cfg.launcher = args.launcher
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or config_work_dir(args.config)
    cfg.load_from = args.checkpoint
    cfg.resume = False
    if args.predictions:
        evaluators = cfg.test_evaluator if isinstance(cfg.test_evaluator, list) else [cfg.test_evaluator]
        cfg.test_evaluator = [*evaluators, dict(type='DumpDetResults', out_file_path=args.predictions)]
    if cfg.model.get('backbone', {}).get('init_cfg'):
        cfg.model.backbone.init_cfg = None  # every weight comes from the checkpoint
    adapt_to_machine(cfg)
    return runner_from_config(cfg, args.config)


def check_outputs(args: argparse.Namespace) -> None:
    """``--out`` and ``--predictions`` are writable now and overwrite no input (RunConfigError otherwise)."""
    from cuts3d.cli_config import RunConfigError
    from cuts3d.utils.output_paths import OutputPathError, check_writable_file, refuse_inputs

    inputs = [('the config file', args.config), ('the checkpoint', args.checkpoint)]
    if args.gt:
        inputs.append(('the --gt file', args.gt))
    for option, path in (('--out', args.out), ('--predictions', args.predictions)):
        if path:
            try:
                refuse_inputs(path, option, inputs, [('the --images folder', args.images)] if args.images else [])
                check_writable_file(path, option)
            except OutputPathError as err:
                raise RunConfigError(str(err)) from err


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from cuts3d.engine.checkpoint_coverage import check_checkpoint_fits
    from cuts3d.cli_config import RunConfigError
    from cuts3d.evaluation.class_agnostic_metric import stat_table
    from cuts3d.weights import CheckpointError

    try:
        runner = build_runner(args)
        note = check_checkpoint_fits(runner.model, args.checkpoint, args.allow_partial)
    except (RunConfigError, CheckpointError) as err:
        print(f'{PROG}: error: {err}', file=sys.stderr)
        return 2
    if note:
        print(f'{PROG}: warning: {note}', file=sys.stderr)
    metrics = runner.test()
    if args.out and runner.rank == 0:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        table = dict(stat_table(metrics), checkpoint=args.checkpoint,
                     ground_truth=osp.abspath(args.gt) if args.gt else None)
        with open(args.out, 'w') as f:
            json.dump(table, f, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
