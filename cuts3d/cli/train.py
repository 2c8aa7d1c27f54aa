"""Train a detector from a cuts3d config with the MMEngine Runner.

    cuts3d train CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp] [--auto-scale-lr]
                        [--launcher none|pytorch|slurm] [--cfg-options KEY=VALUE ...]

(``python tools/train.py`` runs the same code.) Multi-GPU: ``bash tools/dist_train.sh CONFIG 8`` (torchrun).
Before the Runner starts, the config (a syntax error names file and line), the annotation files (valid COCO: every
annotation with a known image, a finite box, a mask of its image's size; a training set with at least one
annotation), the image folders and the checkpoints are checked.

Exit status: 0 when training finished; 2 with one line saying what is wrong (nothing was trained).
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from .arguments import RUNNER_LAUNCHERS, add_cfg_options, parser_for

if TYPE_CHECKING:
    from mmengine.runner import Runner

PROG = 'cuts3d train'


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = parser_for(PROG, 'Train a class-agnostic detector (cuts3d / mmdet config)')
    parser.add_argument('config', help='config file, e.g. configs/cuts3d/dino_in1k.py')
    parser.add_argument('--work-dir', help='where logs and checkpoints go (default ./work_dirs/<config name>)')
    parser.add_argument('--resume', nargs='?', const='auto',
                        help='resume from CKPT, or without a value from the latest checkpoint of the work dir')
    parser.add_argument('--amp', action='store_true', help='mixed precision (AmpOptimWrapper; needs a GPU)')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr by (total batch / auto_scale_lr.base_batch_size)')
    parser.add_argument('--launcher', choices=RUNNER_LAUNCHERS, default='none', help='job launcher')
    add_cfg_options(parser)
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def build_runner(args: argparse.Namespace) -> Runner:
    """The Runner for ``args``; raises :class:`RunConfigError` with a one-line reason on a config it cannot run."""
    import torch
    from mmengine.logging import print_log

    from cuts3d.cli_config import (RunConfigError, adapt_to_machine, check_annotation_file,
                                   check_dataset_files, config_work_dir, load_config, prepare_backbone_init,
                                   require_keys, runner_from_config)
    from cuts3d.weights.torch_file import describe_non_torch_file

    cfg = load_config(args.config, args.cfg_options)
    require_keys(cfg, ('model', 'train_dataloader', 'train_cfg', 'optim_wrapper'), 'training')
    cfg.launcher = args.launcher
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or config_work_dir(args.config)
    if args.amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.loss_scale = 'dynamic'
    if args.auto_scale_lr:
        if 'base_batch_size' not in cfg.get('auto_scale_lr', {}):
            raise RunConfigError('--auto-scale-lr needs auto_scale_lr.base_batch_size in the config')
        cfg.auto_scale_lr.enable = True
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        if not os.path.isfile(args.resume):
            raise RunConfigError(f'--resume checkpoint not found: {args.resume}')
        cfg.resume, cfg.load_from = True, args.resume
    if cfg.get('load_from') and os.path.isfile(cfg.load_from) and describe_non_torch_file(cfg.load_from):
        raise RunConfigError(f'checkpoint {cfg.load_from} {describe_non_torch_file(cfg.load_from)}')
    check_dataset_files(cfg, 'train_dataloader')
    check_annotation_file(cfg, 'train_dataloader', evaluated=False)
    if cfg.get('val_cfg') and cfg.get('val_dataloader'):
        check_dataset_files(cfg, 'val_dataloader')
        check_annotation_file(cfg, 'val_dataloader', evaluated=True)
    notes = [prepare_backbone_init(cfg), adapt_to_machine(cfg)]
    if args.amp and not torch.cuda.is_available():
        raise RunConfigError('--amp needs a GPU (mmengine AmpOptimWrapper); drop --amp on CPU')
    runner = runner_from_config(cfg, args.config)
    for note in filter(None, notes):
        print_log(note, logger='current')
    return runner


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from cuts3d.cli_config import RunConfigError

    try:
        runner = build_runner(args)
    except RunConfigError as err:
        print(f'{PROG}: error: {err}', file=sys.stderr)
        return 2
    runner.train()
    return 0


if __name__ == '__main__':
    sys.exit(main())
