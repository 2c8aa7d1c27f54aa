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
the config must name its classes (``metainfo.classes`` of its test or training dataset), its test pipeline must load
images with ``LoadImageFromFile``, and ``--out`` and ``--show-dir`` must be writable and outside ``DIR``.

An image that cannot be read or decoded does not stop the run: the pipeline loads it with
:class:`cuts3d.datasets.transforms.LoadImageFromFileOrPlaceholder` (``LoadImageFromFile`` with the config's
arguments, a placeholder and a failure mark in place of the exception), and it gets no entry in ``PREDS.json`` and
no overlay, but a line (``path``, ``file_name``, ``reason``) in ``<PREDS stem>.failures.jsonl``, as ``cuts3d extract``
writes it. That file is written on every run (empty when every image loaded); each failure is also printed.

Exit status (as ``cuts3d extract``):

* 0: every image is in the json (and has its overlay).
* 3: the json was written, but some images could not be loaded (listed with the reason in the failures file).
* 1: no image could be loaded (the json has no image; the failures file says why).
* 2: one line saying what is wrong with the arguments, config, checkpoint or output paths (nothing ran).
"""
from __future__ import annotations

import argparse
import inspect
import os
import os.path as osp
import sys
from typing import TYPE_CHECKING

from .arguments import (EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, EXIT_SOME_FAILED, RUNNER_LAUNCHERS, add_cfg_options,
                        parser_for)

if TYPE_CHECKING:
    from mmengine.config import Config
    from mmengine.runner import Runner

PROG = 'cuts3d infer'
EPILOG = '''\
An image that cannot be read or decoded is skipped: it is listed with the reason in
<out stem>.failures.jsonl (written on every run, empty when every image loaded).

exit status: 0 every image done; 3 some images failed (the json holds the rest);
             1 every image failed; 2 bad arguments, config, checkpoint or paths (nothing ran)'''


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = parser_for(PROG, 'A trained detector on plain photos: COCO results json and overlays.')
    parser.epilog = EPILOG
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


def step_type(step: dict) -> str:
    """The class name of a pipeline step (its ``type`` is a registry name, ``scope.Name``, or a class)."""
    kind = step.get('type', '')
    return (kind if isinstance(kind, str) else getattr(kind, '__name__', str(kind))).rpartition('.')[2]


def test_pipeline(cfg: Config) -> list:
    """The config's test pipeline for photos: no annotation loading (photos have none), images loaded by
    ``LoadImageFromFileOrPlaceholder`` (an unreadable one is marked failed, not raised) and the packing step (the
    last) carrying the failure mark in the data sample's meta."""
    from cuts3d.cli_config import RunConfigError
    from cuts3d.datasets.transforms import LOAD_FAILURE_KEY
    from cuts3d.engine.self_training import annotated_dataset
    from cuts3d.registry import TRANSFORMS

    pipeline = [dict(step) for step in annotated_dataset(cfg.test_dataloader.dataset).get('pipeline') or []
                if step_type(step) != 'LoadAnnotations']
    loaders = [i for i, step in enumerate(pipeline) if step_type(step) == 'LoadImageFromFile']
    if len(loaders) != 1 or loaders[0] == len(pipeline) - 1:
        raise RunConfigError(f'{cfg.filename}: the test pipeline must load the images with one LoadImageFromFile '
                             f'and pack them in a last step; it is {[step_type(step) for step in pipeline]}')
    pipeline[loaders[0]]['type'] = 'LoadImageFromFileOrPlaceholder'
    pack = pipeline[-1]
    packer = pack['type'] if isinstance(pack['type'], type) else TRANSFORMS.get(pack['type'])
    meta_keys = inspect.signature(packer).parameters.get('meta_keys') if packer else None
    if meta_keys is None:
        raise RunConfigError(f'{cfg.filename}: the last step of the test pipeline, {step_type(pack)}, must pack the '
                             'inputs and take meta_keys (e.g. PackDetInputs)')
    pack['meta_keys'] = (*pack.get('meta_keys', meta_keys.default), LOAD_FAILURE_KEY)
    return pipeline


def check_outputs(args: argparse.Namespace, root: str) -> None:
    """``--out``, its failures file and ``--show-dir`` are writable and lie outside the image folder and the inputs."""
    from cuts3d.pseudo import failures_path
    from cuts3d.utils.output_paths import check_writable_dir, check_writable_file, refuse_inputs

    inputs = [('the config file', args.config), ('the checkpoint', args.checkpoint)]
    trees = [('the --images folder', root)]
    for what, path in (('--out', args.out), ('the failures file', failures_path(args.out))):
        refuse_inputs(path, what, inputs, trees)
        check_writable_file(path, what)
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


def report_failures(failures_file: str, images: int) -> None:
    """Print one line per image of ``failures_file`` (its path and reason) and a summary line, on stderr."""
    import json

    with open(failures_file, encoding='utf-8') as handle:
        failures = [json.loads(line) for line in handle if line.strip()]
    for failure in failures:
        print(f'{PROG}: failed: {failure["path"]}: {failure["reason"]}', file=sys.stderr)
    print(f'{PROG}: {len(failures)} of {images + len(failures)} image(s) could not be loaded and are not in the '
          f'results (reasons in {failures_file}); fix or remove them and rerun', file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from cuts3d.cli_config import RunConfigError
    from cuts3d.engine.checkpoint_coverage import check_checkpoint_fits
    from cuts3d.pseudo import failures_path
    from cuts3d.weights import CheckpointError

    try:
        runner, root = build_runner(args)
        note = check_checkpoint_fits(runner.model, args.checkpoint, args.allow_partial)
    except (RunConfigError, CheckpointError) as err:
        print(f'{PROG}: error: {err}', file=sys.stderr)
        return EXIT_BAD_INPUT
    if note:
        print(f'{PROG}: warning: {note}', file=sys.stderr)
    counts = runner.test()  # the metrics of rank 0, broadcast to every rank
    images, failures = int(counts['results/images']), int(counts['results/failures'])
    status = EXIT_OK if not failures else EXIT_SOME_FAILED if images else EXIT_FAILED
    if runner.rank != 0:
        return status
    print(f'{PROG}: {images} images, {int(counts["results/detections"])} detections '
          f'(score >= {args.score_thr}) -> {args.out}')
    if args.show_dir:
        shown = write_overlays(args.out, root, args.show_dir, args.show_score_thr)
        print(f'{PROG}: {shown} overlays (detections with score >= {args.show_score_thr}) -> {args.show_dir}')
    if failures:
        report_failures(failures_path(args.out), images)
    return status


if __name__ == '__main__':
    sys.exit(main())
