"""Pictures of every pseudo-mask stage for a few images, as PNGs and one HTML page.

    python tools/visualize.py CONFIG --images DIR [--depth DIR] [--num N] [--out DIR]
        [--predictions RESULTS.pkl|json] [--gt ANN.json] [--cfg-options KEY=VALUE ...]

Runs the config's ``pseudo_mask_generator`` on the first ``N`` images of ``DIR`` (sorted, as extraction does) with
its components tapped (:class:`cuts3d.visualization.StageRecorder`), and writes ``OUT/<image>/<stage>.png`` plus
``OUT/index.html``: depth, Spatial Importance, per cut the NCut eigenvector, bipartition, partition (LocalCut or
2D component), point cloud and Spatial Confidence, the pseudo-masks, and optionally ground truth (``--gt``, a COCO
json) and detector predictions (``--predictions``: mmdet results ``.pkl`` or a COCO ``.json``), matched to images
by file stem. ``--depth DIR`` replaces the depth source by ``FileDepth(root=DIR)``, as extraction does.

Exit status: 0 when the page was written, 2 with a one-line reason on bad input.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mmengine.config import DictAction

PROG = 'visualize.py'


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=PROG, description='Pictures of every pseudo-mask stage, with an HTML page.')
    parser.add_argument('config', help='config file holding pseudo_mask_generator')
    parser.add_argument('--images', required=True, help='image folder (searched recursively), image, or list file')
    parser.add_argument('--depth', help='folder of depth maps <stem>.npy / 16-bit <stem>.png (uses FileDepth)')
    parser.add_argument('--num', type=int, default=4, help='how many images (the first ones, sorted)')
    parser.add_argument('--out', default='work_dirs/visualize', help='output folder (index.html + PNGs)')
    parser.add_argument('--predictions', help='detections to draw: mmdet results .pkl or COCO .json')
    parser.add_argument('--gt', help='ground truth to draw: COCO instances .json')
    parser.add_argument('--max-side', type=int, default=384, help='longer side of the pictures, pixels')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config keys, key=value')
    args = parser.parse_args(argv)
    if args.num < 1:
        parser.error(f'--num must be >= 1, got {args.num}')
    return args


def visualize(args: argparse.Namespace) -> Path:
    """Run the generator on the first ``--num`` images, write every picture and ``index.html``; return its path."""
    from cuts3d.pseudo import list_images, load_extraction_config
    from cuts3d.registry import PSEUDO_MASK_GENERATORS, build_component
    from cuts3d.utils.image_io import load_rgb
    from cuts3d.visualization import StageRecorder, load_detections, save_row, stage_pictures, write_report

    cfg = load_extraction_config(args.config, args.cfg_options, args.depth)
    _, items = list_images(args.images)
    predictions = load_detections(args.predictions) if args.predictions else {}
    ground_truth = load_detections(args.gt) if args.gt else {}
    recorder = StageRecorder(build_component(cfg.pseudo_mask_generator, PSEUDO_MASK_GENERATORS))
    partition_label = type(recorder.generator.partitioner.inner).__name__
    rows, summary = [], {}
    for item in items[:args.num]:
        image = load_rgb(item.path)
        record = recorder.run(image, {'img_path': item.path, 'rel_path': item.rel_path})
        stem = Path(item.rel_path).stem
        gt = ground_truth.get(stem)
        pictures = stage_pictures(image, record, partition_label,
                                  ground_truth=None if gt is None or gt.masks is None else list(gt.masks),
                                  detections=predictions.get(stem), max_side=args.max_side)
        rows.append(save_row(args.out, item.rel_path, pictures))
        timings = getattr(recorder.generator, 'timings', {})
        summary[item.rel_path] = {'pseudo-masks': len(record.instances), 'cuts': len(record.cuts),
                                  **{f'{stage} s': seconds for stage, seconds in timings.items()}}
        print(f'{PROG}: {item.rel_path}: {len(record.instances)} pseudo-mask(s), {len(pictures)} pictures')
    return write_report(args.out, rows, summary, title=f'cuts3d stages: {Path(args.config).name}',
                        notes=f'pseudo_mask_generator of {args.config} on {args.images}; '
                              f'partitioner {partition_label}.', filename='index.html',
                        metrics_title='Per image: pseudo-masks, cuts, seconds per stage')


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from cuts3d.pseudo import ImageListError, ToolConfigError  # after parsing: --help stays fast
    from cuts3d.registry import UnknownComponentError
    from cuts3d.utils.image_io import ImageLoadError
    from cuts3d.visualization import DetectionFileError
    try:
        page = visualize(args)
    except (ToolConfigError, ImageListError, ImageLoadError, DetectionFileError, UnknownComponentError, OSError,
            TypeError, ValueError) as error:
        print(f'{PROG}: error: {type(error).__name__}: {error}', file=sys.stderr)
        return 2
    print(f'{PROG}: wrote {page}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
