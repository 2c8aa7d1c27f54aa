"""CutLER-style self-training: predict on the training images, merge, retrain; ``--rounds`` times.

    cuts3d self-train CONFIG --rounds R [--checkpoint CKPT] [--work-dir DIR] [--start-round K]
                             [--launcher none|pytorch|slurm] [--cfg-options KEY=VALUE ...]

(``python tools/self_train.py`` runs the same code.)

Round ``r`` (settings from the config's ``self_training`` dict, configs/_base_/schedules/self_training_80k.py):

1. predict ``max_dets`` (30) detections on every image of the current training annotations with the previous
   checkpoint, keep score ``>= score_thrs[r - 1]`` (0.7, then 0.65), add the previous annotations whose mask IoU
   with every kept prediction is ``< 0.5``, and write ``WORK_DIR/round_r/annotations.json``;
2. train from the previous checkpoint on it: lr 0.005 constant after warm-up, 80k iterations, DropLoss off,
   copy-paste scale U(0.5, 1.0); the checkpoint goes to ``WORK_DIR/round_r/``.

``--checkpoint`` is the detector trained on the initial pseudo-masks (default: the last checkpoint that
``cuts3d train CONFIG`` wrote into WORK_DIR). Each round prints its counts, and ``WORK_DIR/self_training.json``
keeps every round's summary; ``--start-round K`` continues after round ``K - 1`` finished.

Before the first round the starting annotations are validated (valid COCO with at least one annotation, each with
a box and a mask of its image's size) and the checkpoint must provide every weight of the model.

Exit status: 0 when every round finished; 2 with one line saying what is wrong (the round that stopped is named).
"""
from __future__ import annotations

import argparse
import json
import os
import os.path as osp
import sys
import time
from typing import TYPE_CHECKING

from .arguments import RUNNER_LAUNCHERS, add_cfg_options, parser_for

if TYPE_CHECKING:
    from mmengine.runner import Runner

PROG = 'cuts3d self-train'


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = parser_for(PROG, 'Self-train a detector on its own confident predictions')
    parser.add_argument('config', help='the method config the detector was trained with')
    parser.add_argument('--rounds', type=int, required=True, help='number of self-training rounds (CutS3D: 1)')
    parser.add_argument('--checkpoint', help='detector to start from (default: latest checkpoint in the work dir)')
    parser.add_argument('--work-dir', help='default ./work_dirs/<config name> (where cuts3d train wrote)')
    parser.add_argument('--start-round', type=int, default=1, help='continue at this round (earlier ones done)')
    parser.add_argument('--launcher', choices=RUNNER_LAUNCHERS, default='none', help='job launcher')
    add_cfg_options(parser)
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    if args.rounds < 1 or not 1 <= args.start_round <= args.rounds:
        parser.error('need --rounds >= 1 and 1 <= --start-round <= --rounds')
    return args


def round_dir(work_dir: str, round_idx: int) -> str:
    return osp.join(work_dir, f'round_{round_idx}')


def _latest_checkpoint(work_dir: str) -> str | None:
    from mmengine.runner import find_latest_checkpoint

    path = find_latest_checkpoint(work_dir) if osp.isdir(work_dir) else None
    return path if path and osp.isfile(path) else None


def starting_point(args: argparse.Namespace, cfg, work_dir: str) -> tuple[str, str]:
    """The checkpoint and the annotation file round ``args.start_round`` starts from."""
    from cuts3d.cli_config import RunConfigError, dataset_files

    if args.start_round == 1:
        searched = work_dir
        ann_file = dataset_files(cfg.train_dataloader.dataset)[0]
    else:
        searched = round_dir(work_dir, args.start_round - 1)
        ann_file = osp.join(searched, 'annotations.json')
    checkpoint = args.checkpoint or _latest_checkpoint(searched)
    if not checkpoint:
        raise RunConfigError(f'no checkpoint to start from in {searched}: train first (cuts3d train) or pass '
                             '--checkpoint')
    if not osp.isfile(checkpoint):
        raise RunConfigError(f'checkpoint not found: {checkpoint}')
    if not osp.isfile(ann_file):
        raise RunConfigError(f'previous annotations not found: {ann_file}')
    return checkpoint, osp.abspath(ann_file)


def _runner(cfg) -> Runner:
    from mmengine.runner import Runner

    from cuts3d.cli_config import RunConfigError, one_line

    try:
        return Runner.from_cfg(cfg)
    except (KeyError, TypeError, ValueError, AssertionError) as err:
        raise RunConfigError(f'cannot build the runner: {one_line(err)}') from err


def run_round(cfg, round_idx: int, checkpoint: str, ann_file: str, work_dir: str, launcher: str) -> dict:
    """One round: predict + merge (a test run), then retrain. Returns the round's summary."""
    from mmengine.logging import print_log

    from cuts3d.engine.checkpoint_coverage import check_checkpoint_fits
    from cuts3d.cli_config import RunConfigError, one_line
    from cuts3d.engine.self_training import (prediction_config, score_threshold, self_training_settings,
                                             training_config)
    from cuts3d.weights import CheckpointError

    settings = self_training_settings(cfg)
    out_dir = round_dir(work_dir, round_idx)
    new_ann = osp.abspath(osp.join(out_dir, 'annotations.json'))
    thr = score_threshold(round_idx, settings['score_thrs'])
    started = time.time()
    print_log(f'[self-train] round {round_idx}: predicting on {ann_file} with {checkpoint} (score >= {thr})',
              logger='current')
    try:  # both configs first, so a config that cannot self-train fails before the long prediction run
        pred_cfg = prediction_config(cfg, ann_file, new_ann, checkpoint, thr, osp.join(out_dir, 'predict'))
        train_cfg = training_config(cfg, new_ann, checkpoint, out_dir)
    except (KeyError, ValueError) as err:
        raise RunConfigError(one_line(err)) from err
    stamp = time.strftime('%Y%m%d_%H%M%S')
    pred_cfg.launcher = train_cfg.launcher = launcher
    pred_cfg.experiment_name = f'self_train_round{round_idx}_predict_{stamp}'
    train_cfg.experiment_name = f'self_train_round{round_idx}_train_{stamp}'
    predictor = _runner(pred_cfg)
    try:
        check_checkpoint_fits(predictor.model, checkpoint)
    except CheckpointError as err:
        raise RunConfigError(str(err)) from err
    counts = predictor.test()
    print_log(f'[self-train] round {round_idx}: training {train_cfg.train_cfg.max_iters} iterations on {new_ann}',
              logger='current')
    runner = _runner(train_cfg)
    runner.train()
    new_checkpoint = _latest_checkpoint(out_dir)
    val = {key[len('val/'):]: round(float(buffer.current()), 4)
           for key, buffer in runner.message_hub.log_scalars.items()
           if key.startswith('val/') and key not in ('val/time', 'val/data_time')}
    summary = dict(round=round_idx, score_thr=thr, previous_checkpoint=checkpoint, previous_ann_file=ann_file,
                   ann_file=new_ann, checkpoint=new_checkpoint, seconds=round(time.time() - started, 1),
                   **{key.split('/')[-1]: int(value) for key, value in counts.items()}, val=val)
    print_log(f'[self-train] round {round_idx} done: {summary["predictions_kept"]} predictions kept '
              f'(of {summary["predictions"]}), {summary["previous_kept"]} of {summary["previous_total"]} previous '
              f'annotations kept, {summary["annotations"]} annotations on {summary["images"]} images; '
              f'checkpoint {new_checkpoint}', logger='current')
    return summary


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from mmengine.dist import is_main_process
    from mmengine.logging import print_log

    from cuts3d.cli_config import (RunConfigError, adapt_to_machine, annotation_keys, check_annotation_json,
                                   check_dataset_files, config_work_dir, load_config, require_keys)
    from cuts3d.engine.self_training import self_training_settings
    from cuts3d.utils.atomic_file import write_json_atomic

    try:
        cfg = load_config(args.config, args.cfg_options)
        require_keys(cfg, ('model', 'train_dataloader', 'test_dataloader', 'optim_wrapper'), 'self-training')
        try:
            self_training_settings(cfg)
        except KeyError as err:
            raise RunConfigError(err.args[0]) from err
        work_dir = args.work_dir or cfg.get('work_dir') or config_work_dir(args.config)
        check_dataset_files(cfg, 'train_dataloader')
        checkpoint, ann_file = starting_point(args, cfg, work_dir)
        check_annotation_json(ann_file, annotation_keys(cfg.train_dataloader.dataset, evaluated=False), True,
                              'starting annotations')
        cfg.launcher = args.launcher
        adapt_to_machine(cfg)
    except RunConfigError as err:
        print(f'{PROG}: error: {err}', file=sys.stderr)
        return 2
    summary_path = osp.join(work_dir, 'self_training.json')
    summaries = []
    if osp.isfile(summary_path):
        with open(summary_path) as f:
            summaries = [s for s in json.load(f) if s['round'] < args.start_round]
    for round_idx in range(args.start_round, args.rounds + 1):
        try:
            summary = run_round(cfg, round_idx, checkpoint, ann_file, work_dir, args.launcher)
        except RunConfigError as err:
            print(f'{PROG}: error: round {round_idx}: {err}', file=sys.stderr)
            return 2
        summaries.append(summary)
        if is_main_process():
            write_json_atomic(summary_path, summaries)
        checkpoint, ann_file = summary['checkpoint'], summary['ann_file']
    print_log(f'[self-train] {args.rounds - args.start_round + 1} round(s) done; summary in {summary_path}, '
              f'final checkpoint {checkpoint}', logger='current')
    return 0


if __name__ == '__main__':
    sys.exit(main())
