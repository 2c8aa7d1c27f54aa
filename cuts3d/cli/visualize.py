"""Pictures of every pseudo-mask stage for a few images, as PNGs and one HTML page.

    cuts3d visualize CONFIG --images DIR [--depth DIR] [--num N | --all] [--out DIR]
        [--predictions RESULTS.pkl|json] [--gt ANN.json] [--cfg-options KEY=VALUE ...]

(``python tools/visualize.py`` runs the same code.) Runs the config's ``pseudo_mask_generator`` on the first ``N``
images of ``DIR`` (sorted, as extraction does; it says "showing N of M images") with its components tapped
(:class:`cuts3d.visualization.StageRecorder`), and writes ``OUT/<image>/<stage>.png`` plus ``OUT/index.html``:
depth, Spatial Importance, per cut the NCut eigenvector, bipartition, partition (LocalCut or 2D component), point
cloud and Spatial Confidence, the pseudo-masks, and optionally ground truth (``--gt``, a COCO json) and detector
predictions (``--predictions``: mmdet results ``.pkl`` or a COCO ``.json``), matched to images by file stem. Above
each image's pictures the page says what became of every cut: kept, dropped (IoU with the previous cut, too
small, already claimed), stopped (the rest of the image, nothing left to cut) or empty after the CRF
(:mod:`cuts3d.visualization.cut_decisions`). ``--depth DIR`` replaces the depth source by ``FileDepth(root=DIR)``,
as extraction does.

The generator is built and tried on a synthetic image first (:mod:`cuts3d.pseudo.dry_run`), so a config error
stops the tool before any picture. An image that cannot be read or processed is skipped and listed (on the page
and on stderr), and the next one takes its place. ``--out`` must lie outside the image folders: its PNGs would
otherwise become input images of the next extraction.

Exit status: 0 when the page shows ``N`` images (or all there are); 3 when it was written but images were skipped
(listed); 1 when every image was skipped (the page lists why); 2 with a one-line reason on bad input.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .arguments import add_cfg_options, parser_for

PROG = 'cuts3d visualize'
DEFAULT_NUM = 4


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = parser_for(PROG, 'Pictures of every pseudo-mask stage, with an HTML page that says what became of '
                              'every cut.')
    parser.add_argument('config', help='config file holding pseudo_mask_generator')
    parser.add_argument('--images', required=True, help='image folder (searched recursively), image, or list file')
    parser.add_argument('--depth', help='folder of depth maps <stem>.npy / 16-bit <stem>.png (uses FileDepth)')
    count = parser.add_mutually_exclusive_group()
    count.add_argument('--num', type=int, default=DEFAULT_NUM, help='how many images (the first ones, sorted)')
    count.add_argument('--all', action='store_true', help='every image of --images')
    parser.add_argument('--out', default='work_dirs/visualize', help='output folder (index.html + PNGs)')
    parser.add_argument('--predictions', help='detections to draw: mmdet results .pkl or COCO .json')
    parser.add_argument('--gt', help='ground truth to draw: COCO instances .json')
    parser.add_argument('--max-side', type=int, default=384, help='longer side of the pictures, pixels')
    parser.add_argument('--no-progress', action='store_true', help='no progress bar')
    add_cfg_options(parser)
    args = parser.parse_args(argv)
    if args.num < 1:
        parser.error(f'--num must be >= 1, got {args.num}')
    return args


def check_out(args: argparse.Namespace, root: str) -> None:
    """``--out`` is writable and outside the image folder, the depth folder and the input files."""
    from cuts3d.utils.output_paths import check_writable_dir, refuse_inputs

    trees = [('the --images folder' if os.path.isdir(args.images) else 'the folder of the images', root)]
    if args.depth:
        trees.append(('the --depth folder', args.depth))
    named = (('config', args.config), ('--gt', args.gt), ('--predictions', args.predictions))
    files = [(f'the {what} file', path) for what, path in named if path]
    refuse_inputs(args.out, '--out', files, trees)
    check_writable_dir(args.out, f'--out {args.out}')


def visualize(args: argparse.Namespace) -> tuple[Path, int, list[tuple[str, str]]]:
    """Render the first ``--num`` images that can be processed.

    Returns the page, the number of images on it, and the skipped ``(image, reason)``.
    """
    from tqdm import tqdm

    from cuts3d.pseudo import build_checked_generator, list_images, load_extraction_config
    from cuts3d.pseudo.extraction_config import depth_source_note
    from cuts3d.utils.image_io import load_rgb
    from cuts3d.visualization import StageRecorder, load_detections, save_row, stage_pictures, write_report
    from cuts3d.visualization.cut_decisions import decision_counts, describe_cut

    cfg = load_extraction_config(args.config, args.cfg_options, args.depth)
    root, items = list_images(args.images)
    check_out(args, root)
    predictions = load_detections(args.predictions) if args.predictions else {}
    ground_truth = load_detections(args.gt) if args.gt else {}
    wanted = len(items) if args.all else min(args.num, len(items))
    print(f'{PROG}: showing {wanted} of {len(items)} images'
          + ('' if args.all or wanted == len(items) else ' (the first ones, sorted; --num N or --all for more)'),
          flush=True)
    recorder = StageRecorder(build_checked_generator(cfg.pseudo_mask_generator))
    note = depth_source_note(cfg)
    if note:
        print(f'{PROG}: {note}', file=sys.stderr)
    partition_label = type(recorder.generator.partitioner.inner).__name__
    rows, summary, skipped = [], {}, []
    progress = tqdm(total=wanted, desc='visualize', unit='img', disable=args.no_progress, dynamic_ncols=True)
    for item in items:
        if len(rows) == wanted:
            break
        try:
            image = load_rgb(item.path)
            record = recorder.run(image, item.meta())
        except Exception as error:  # noqa: BLE001 - the dry run passed: this image's own failure, skip and list it
            reason = ' '.join(str(error).split()) or type(error).__name__
            skipped.append((item.rel_path, f'{type(error).__name__}: {reason}'))
            progress.write(f'{PROG}: skipped {item.rel_path}: {type(error).__name__}: {reason}', file=sys.stderr)
            continue
        stem = Path(item.rel_path).stem
        gt = ground_truth.get(stem)
        pictures = stage_pictures(image, record, partition_label,
                                  ground_truth=None if gt is None or gt.masks is None else list(gt.masks),
                                  detections=predictions.get(stem), max_side=args.max_side)
        cuts = [describe_cut(entry, recorder.generator) for entry in record.decisions]
        rows.append(save_row(args.out, item.rel_path, pictures, notes=cuts))
        timings = getattr(recorder.generator, 'timings', {})
        summary[item.rel_path] = {'pseudo-masks': len(record.instances), 'cuts': len(record.cuts),
                                  'decisions': decision_counts(record.decisions),
                                  **{f'{stage} s': seconds for stage, seconds in timings.items()}}
        progress.update()
        progress.write(f'{PROG}: {item.rel_path}: {len(record.instances)} pseudo-mask(s), {len(pictures)} pictures')
        for line in cuts:
            progress.write(f'    {line}')
    progress.close()
    notes = (f'pseudo_mask_generator of {args.config} on {args.images}; partitioner {partition_label}. '
             f'Showing {len(rows)} of {len(items)} images.')
    if note:
        notes += f' ({note})'
    if skipped:
        notes += ' Skipped: ' + '; '.join(f'{name} ({reason})' for name, reason in skipped) + '.'
    page = write_report(args.out, rows, summary, title=f'cuts3d stages: {Path(args.config).name}', notes=notes,
                        filename='index.html', metrics_title='Per image: pseudo-masks, cuts, seconds per stage')
    return page, len(rows), skipped


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from cuts3d.pseudo import GeneratorConfigError, ImageListError, ToolConfigError
    from cuts3d.utils.config_options import dict_merge_hint
    from cuts3d.utils.output_paths import OutputPathError
    from cuts3d.visualization import DetectionFileError

    try:
        page, rendered, skipped = visualize(args)
    except GeneratorConfigError as error:
        print(f'{PROG}: error: {error}{dict_merge_hint(args.cfg_options, str(error))}', file=sys.stderr)
        return 2
    except (ToolConfigError, ImageListError, OutputPathError, DetectionFileError, OSError, ValueError) as error:
        print(f'{PROG}: error: {type(error).__name__}: {error}', file=sys.stderr)
        return 2
    print(f'{PROG}: wrote {page}')
    if not skipped:
        return 0
    print(f'{PROG}: {len(skipped)} image(s) skipped, {rendered} shown (the reasons are above and on the page)',
          file=sys.stderr)
    return 3 if rendered else 1


if __name__ == '__main__':
    sys.exit(main())
