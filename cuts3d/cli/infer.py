"""Run a trained detector on plain photos (no ground truth): a COCO results json and, optionally, overlays.

    cuts3d infer CONFIG CHECKPOINT --images DIR --out PREDS.json [--show-dir DIR] [--score-thr T]
                 [--show-score-thr T] [--work-dir DIR] [--allow-partial] [--launcher none|pytorch|slurm]
                 [--cfg-options KEY=VALUE ...]

(``python tools/infer.py`` runs the same code.) The detector of ``CONFIG`` (the one ``cuts3d train`` trained) runs
through mmengine's test loop, with the config's test pipeline, on every image of ``DIR`` (a folder searched
recursively, one image, or a list file; :class:`cuts3d.datasets.ImageFolderDataset`). ``PREDS.json`` is one
self-contained COCO file (:class:`cuts3d.evaluation.CocoResultsWriter`): ``images`` (paths relative to ``DIR``,
sizes), ``categories`` (the config's class names) and an annotation per detection with ``score >= --score-thr``
(box, score, RLE mask). ``--show-dir`` gets one PNG per image with the detections scoring at least
``--show-score-thr`` drawn (box, mask, score), at ``DIR``'s relative path. Evaluation against ground truth is
``cuts3d test``. Multi-GPU: ``torchrun --nproc-per-node N tools/infer.py ... --launcher pytorch``.

The checkpoint must be readable and provide every weight of the model (``--allow-partial`` runs one that lacks some),
the config must name its classes (``metainfo.classes`` of its test or training dataset), and ``--out`` and
``--show-dir`` must be writable and outside ``DIR``.

Exit status: 0 when the json (and the overlays) were written; 2 with one line saying what is wrong (nothing ran).
"""
from __future__ import annotations

import argparse
import os
import os.path as osp
import sys
from typing import TYPE_CHECKING

from .arguments import RUNNER_LAUNCHERS, add_cfg_options, parser_for

if TYPE_CHECKING:
    from mmengine.config import Config
    from mmengine.runner import Runner

PROG = 'cuts3d infer'


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = parser_for(PROG, 'A trained detector on plain photos: COCO results json and overlays.')
    parser.add_argument('config', help='the detector config (as given to cuts3d train)')
    parser.add_argument('checkpoint', help='checkpoint file (e.g. work_dirs/<config>/iter_N.pth)')
    parser.add_argument('--images', required=True, help='image folder (searched recursively), image, or list file')
    parser.add_argument('--out', required=True, help='COCO json of the predictions (with its images list)')
    parser.add_argument('--show-dir', help='write one overlay PNG per image here')
    parser.add_argument('--score-thr', type=float, default=0.0, help='leave out detections scoring below this')
    parser.add_argument('--show-score-thr', type=float, default=0.3, help='draw detections scoring at least this')
    parser.add_argument('--work-dir', help='where logs go (default ./work_dirs/<config name>)')
    parser.add_argument('--allow-partial', action='store_true',
                        help='run a checkpoint that lacks some of the model\'s weights (they stay initial)')
    parser.add_argument('--launcher', choices=RUNNER_LAUNCHERS, default='none', help='job launcher')
    add_cfg_options(parser)
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    for option in ('score_thr', 'show_score_thr'):
        if not 0.0 <= getattr(args, option) <= 1.0:
            parser.error(f'--{option.replace("_", "-")} must be in [0, 1]')
    return args


def class_names(cfg: Config) -> tuple[str, ...]:
    """The detector's class names: ``metainfo.classes`` of the test dataset, else of the training dataset."""
    from cuts3d.cli_config import RunConfigError
    from cuts3d.engine.self_training import annotated_dataset

    for loader in ('test_dataloader', 'train_dataloader'):
        if loader in cfg:
            classes = (annotated_dataset(cfg[loader].dataset).get('metainfo') or {}).get('classes')
            if classes:
                return tuple(classes)
    raise RunConfigError(f'{cfg.filename}: no metainfo.classes in its test or training dataset; the detector\'s '
                         "class names label the predictions: set e.g. metainfo=dict(classes=('fg',))")


def test_pipeline(cfg: Config) -> list:
    """The config's test pipeline without annotation loading (photos have none)."""
    from cuts3d.engine.self_training import annotated_dataset

    pipeline = annotated_dataset(cfg.test_dataloader.dataset).get('pipeline') or []
    return [step for step in pipeline if not str(step.get('type', '')).endswith('LoadAnnotations')]


def check_outputs(args: argparse.Namespace, root: str) -> None:
    """``--out`` and ``--show-dir`` are writable and lie outside the image folder and the input files."""
    from cuts3d.utils.output_paths import check_writable_dir, check_writable_file, refuse_inputs

    inputs = [('the config file', args.config), ('the checkpoint', args.checkpoint)]
    trees = [('the --images folder', root)]
    refuse_inputs(args.out, '--out', inputs, trees)
    check_writable_file(args.out, '--out')
    if args.show_dir:
        refuse_inputs(args.show_dir, '--show-dir', inputs, trees)
        check_writable_dir(args.show_dir, f'--show-dir {args.show_dir}')


def build_runner(args: argparse.Namespace) -> tuple[Runner, str]:
    """The Runner whose test loop writes ``--out``, and the image root; RunConfigError with one line otherwise."""
    from cuts3d.cli_config import (RunConfigError, adapt_to_machine, config_work_dir, load_config,
                                   require_keys, runner_from_config)
    from cuts3d.pseudo import ImageListError, list_images
    from cuts3d.utils.output_paths import OutputPathError

    cfg = load_config(args.config, args.cfg_options)
    require_keys(cfg, ('model', 'test_dataloader', 'test_cfg'), 'inference')
    if not osp.isfile(args.checkpoint):
        raise RunConfigError(f'checkpoint not found: {args.checkpoint}')
    try:
        root, items = list_images(args.images)
        check_outputs(args, root)
    except (ImageListError, OutputPathError) as err:
        raise RunConfigError(str(err)) from err
    cfg.test_dataloader.dataset = dict(type='ImageFolderDataset', data_root='',
                                       data_prefix=dict(img=osp.abspath(args.images)),
                                       metainfo=dict(classes=class_names(cfg)), pipeline=test_pipeline(cfg))
    cfg.test_evaluator = dict(type='CocoResultsWriter', out_file=osp.abspath(args.out), image_root=root,
                              score_thr=args.score_thr,
                              info=dict(config=osp.abspath(args.config), checkpoint=osp.abspath(args.checkpoint)))
    cfg.launcher = args.launcher
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or config_work_dir(args.config)
    cfg.load_from, cfg.resume = args.checkpoint, False
    if cfg.model.get('backbone', {}).get('init_cfg'):
        cfg.model.backbone.init_cfg = None  # every weight comes from the checkpoint
    adapt_to_machine(cfg)
    print(f'{PROG}: {len(items)} images under {root}')
    return runner_from_config(cfg, args.config), root


def write_overlays(out: str, root: str, show_dir: str, score_thr: float) -> int:
    """One PNG per image of the results file ``out`` with its detections (score >= ``score_thr``) drawn."""
    import json

    import numpy as np
    from tqdm import tqdm

    from cuts3d.utils.image_io import load_rgb
    from cuts3d.visualization import draw_predictions, save_png, segmentation_mask

    with open(out, encoding='utf-8') as handle:
        results = json.load(handle)
    by_image: dict[int, list[dict]] = {image['id']: [] for image in results['images']}
    for detection in results['annotations']:
        by_image[detection['image_id']].append(detection)
    for image in tqdm(results['images'], desc='overlays', unit='img', dynamic_ncols=True):
        picture = load_rgb(osp.join(root, image['file_name']))
        detections = by_image[image['id']]
        boxes = np.array([[x, y, x + w, y + h] for x, y, w, h in (d['bbox'] for d in detections)]).reshape(-1, 4)
        masks = None
        if detections and all('segmentation' in d for d in detections):
            masks = np.stack([segmentation_mask(d['segmentation'], image['height'], image['width'])
                              for d in detections])
        drawn = draw_predictions(picture, boxes, np.array([d['score'] for d in detections]), masks,
                                 score_thr=score_thr)
        save_png(osp.join(show_dir, osp.splitext(image['file_name'])[0] + '.png'), drawn)
    return len(results['images'])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from cuts3d.engine.checkpoint_coverage import check_checkpoint_fits
    from cuts3d.cli_config import RunConfigError
    from cuts3d.weights import CheckpointError

    try:
        runner, root = build_runner(args)
        note = check_checkpoint_fits(runner.model, args.checkpoint, args.allow_partial)
    except (RunConfigError, CheckpointError) as err:
        print(f'{PROG}: error: {err}', file=sys.stderr)
        return 2
    if note:
        print(f'{PROG}: warning: {note}', file=sys.stderr)
    counts = runner.test()
    if runner.rank != 0:
        return 0
    print(f'{PROG}: {int(counts["results/images"])} images, {int(counts["results/detections"])} detections '
          f'(score >= {args.score_thr}) -> {args.out}')
    if args.show_dir:
        shown = write_overlays(args.out, root, args.show_dir, args.show_score_thr)
        print(f'{PROG}: {shown} overlays (detections with score >= {args.show_score_thr}) -> {args.show_dir}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
