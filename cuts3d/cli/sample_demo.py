"""The main job on the embedded sample data, end to end, with a visual report (``make demo``).

    cuts3d sample-demo [--out work_dirs/demo] [--iters 1000] [--num-pictures 4]

(``make demo`` and ``python tools/demo.py`` run the same code.)

1. extracts pseudo-masks from ``data/samples/synthetic`` with the CutLER variant (MaskCut: NCut + 2D connected
   component) and the CutS3D variant (LocalCut on depth, Spatial Importance, Spatial Confidence), with the same
   features (``configs/demo/demo_cutler.py`` / ``demo_cuts3d.py``);
2. evaluates both against the synthetic ground truth (class-agnostic COCO AP);
3. trains the tiny class-agnostic Cascade Mask R-CNN briefly on the CutS3D masks (confident copy-paste, alpha
   blending, SC loss) and evaluates it on the same images;
4. renders every stage for a few synthetic and real images (Middlebury motorcycle and aloe with stereo depth) and
   writes ``OUT/report.html``.

Each step runs the project's own command (``cuts3d extract``, ``cuts3d eval``, ``cuts3d train``, ``cuts3d test``) in
a subprocess, exactly as a user would; the command lines and their progress bars show. The
features are EfficientNet-Lite0's, the one set of real pretrained weights that installs offline: **supervised**
ImageNet weights standing in for self-supervised DINO, which cannot be downloaded here.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from .arguments import parser_for

PROG = 'cuts3d sample-demo'
REPO = Path(__file__).resolve().parents[2]
SYNTHETIC = REPO / 'data/samples/synthetic'
REAL = REPO / 'data/samples/real'
VARIANTS = {'CutLER (MaskCut)': 'configs/demo/demo_cutler.py', 'CutS3D': 'configs/demo/demo_cuts3d.py'}
DETECTOR_CONFIG = 'configs/demo/cuts3d_cad_tiny.py'
REPORTED = ('AP', 'AP50', 'AP75', 'AR100')


def step(title: str) -> None:
    print(f'\n==> {title}', flush=True)


def run_tool(*args: str) -> None:
    """Run ``cuts3d <command> ...`` (``python -m cuts3d``) from the repository root; stop the demo with its exit
    status on failure."""
    print(f'$ cuts3d {" ".join(args)}', flush=True)
    command = [sys.executable, '-m', 'cuts3d', *args]
    result = subprocess.run(command, cwd=REPO)
    if result.returncode != 0:
        sys.exit(f'{PROG}: step failed ({result.returncode}): cuts3d {" ".join(args)}')


def variant_dir(out: Path, name: str) -> Path:
    return out / ('cutler' if name.startswith('CutLER') else 'cuts3d')


def extract_and_evaluate(out: Path) -> dict[str, dict[str, float]]:
    """Pseudo-masks of both variants and their class-agnostic AP against the synthetic ground truth."""
    metrics = {}
    for name, config in VARIANTS.items():
        folder = variant_dir(out, name)
        step(f'extract pseudo-masks: {name} ({config})')
        run_tool('extract', config, '--images', str(SYNTHETIC / 'images'),
                 '--depth', str(SYNTHETIC / 'depth'), '--out', str(folder / 'pseudo_masks.json'))
        step(f'evaluate pseudo-masks: {name}')
        run_tool('eval', str(folder / 'pseudo_masks.json'),
                 str(SYNTHETIC / 'annotations.json'), '--out', str(folder / 'pseudo_mask_metrics.json'))
        metrics[f'pseudo-masks: {name}'] = _table_row(folder / 'pseudo_mask_metrics.json')
    return metrics


def train_and_evaluate(out: Path, iters: int) -> dict[str, float]:
    """Train the tiny detector on the CutS3D pseudo-masks, then evaluate it on the synthetic ground truth."""
    work = out / 'detector'
    pseudo = variant_dir(out, 'CutS3D') / 'pseudo_masks.json'
    train, val = 'train_dataloader.dataset.dataset', 'val_dataloader.dataset'
    gt = SYNTHETIC / 'annotations.json'
    step(f'train the tiny class-agnostic Cascade Mask R-CNN on the CutS3D pseudo-masks ({iters} iterations)')
    run_tool('train', DETECTOR_CONFIG, '--work-dir', str(work), '--cfg-options',
             f'{train}.data_root=', f'{train}.ann_file={pseudo}', f'{train}.data_prefix.img={SYNTHETIC}/images/',
             f'{val}.data_root=', f'{val}.ann_file={gt}', f'{val}.data_prefix.img={SYNTHETIC}/images/',
             f'val_evaluator.ann_file={gt}', f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
             f'default_hooks.checkpoint.interval={iters}', 'randomness.seed=0')
    step('evaluate the detector (class-agnostic COCO AP on the synthetic ground truth)')
    run_tool('test', DETECTOR_CONFIG, str(work / f'iter_{iters}.pth'), '--gt', str(gt),
             '--images', str(SYNTHETIC / 'images'), '--work-dir', str(work), '--out', str(work / 'metrics.json'),
             '--predictions', str(work / 'predictions.pkl'))
    return _table_row(work / 'metrics.json')


def _table_row(path: Path) -> dict[str, float]:
    """The reported numbers of a metrics json: mask and box AP, AP50, AP75, AR100 (in %)."""
    data = json.loads(path.read_text())
    row = {}
    for iou_type, prefix in (('segm', 'mask'), ('bbox', 'box')):
        for stat in REPORTED:
            value = data.get(iou_type, {}).get(stat)
            if value is not None:
                row[f'{prefix} {stat}'] = round(100 * value, 1)
    return row


def render_report(out: Path, metrics: dict, num_pictures: int, elapsed: float) -> Path:
    """Pictures of every stage of both variants for a few images, a side-by-side comparison figure
    (``OUT/comparison.png``), and the metrics table, in one HTML page."""
    from mmengine.config import Config

    from cuts3d.pseudo import list_images
    from cuts3d.registry import PSEUDO_MASK_GENERATORS, build_component
    from cuts3d.utils.image_io import load_rgb
    from cuts3d.visualization import StageRecorder, load_detections, save_row, stage_pictures, write_report

    step('render the report')
    predictions = load_detections(str(out / 'detector/predictions.pkl'))
    ground_truth = load_detections(str(SYNTHETIC / 'annotations.json'))
    _, synthetic = list_images(str(SYNTHETIC / 'images'))
    _, real = list_images(str(REAL / 'images'))
    rows, shown = [], {}
    for name, config in VARIANTS.items():
        cfg = Config.fromfile(str(REPO / config))
        for items, depth_root in ((synthetic[:num_pictures], SYNTHETIC / 'depth'), (real, REAL / 'depth')):
            cfg.pseudo_mask_generator.depth_source = dict(type='FileDepth', root=str(depth_root))
            recorder = StageRecorder(build_component(cfg.pseudo_mask_generator, PSEUDO_MASK_GENERATORS))
            label = type(recorder.generator.partitioner.inner).__name__
            for item in items:
                image = load_rgb(item.path)
                record = recorder.run(image, {'img_path': item.path, 'rel_path': item.rel_path})
                stem = Path(item.rel_path).stem
                gt = ground_truth.get(stem)
                pictures = stage_pictures(image, record, label,
                                          ground_truth=None if gt is None else list(gt.masks),
                                          detections=predictions.get(stem) if name == 'CutS3D' else None)
                rows.append(save_row(out, f'{name}: {item.rel_path}', pictures))
                shown.setdefault(item.rel_path, {}).update(
                    {'image': pictures['image'], 'depth': pictures.get('depth'),
                     'ground truth': pictures.get('ground truth'), name: pictures['pseudo-masks'],
                     'detector': pictures.get('predictions')})
                print(f'{PROG}: pictures of {name} on {item.rel_path}', flush=True)
    comparison = {rel: {k: v for k, v in pics.items() if v is not None} for rel, pics in shown.items()}
    rows = [save_row(out, f'comparison: {rel}', pics) for rel, pics in comparison.items()] + rows
    save_comparison_figure(out / 'comparison.png', comparison, synthetic[:3])
    notes = (f'Synthetic scenes (same-appearance objects touching at different depths, and easier ones) and real '
             f'photos with stereo depth. Features: EfficientNet-Lite0, supervised ImageNet weights standing in for '
             f'self-supervised DINO (not downloadable here). The detector is a tiny Cascade Mask R-CNN trained '
             f'on the CutS3D pseudo-masks of these 8 images and evaluated on the same images: it shows the pipeline '
             f'working, not the paper\'s numbers. Whole demo: {elapsed / 60:.1f} minutes.')
    return write_report(out, rows, metrics, title='cuts3d demo: CutLER vs CutS3D pseudo-masks, and a detector',
                        notes=notes, metrics_title='Class-agnostic COCO metrics (%) against the synthetic ground '
                                                   'truth')


def save_comparison_figure(path: Path, comparison: dict, items: list) -> None:
    """One PNG: a row per image (the first synthetic ones), a labelled column per picture kind."""
    import numpy as np

    from cuts3d.visualization.canvas import put_label, save_png

    columns = ['image', 'depth', 'ground truth', *VARIANTS, 'detector']
    figure_rows = []
    for item in items:
        pictures = comparison[item.rel_path]
        cells = []
        for column in columns:
            cell = pictures.get(column, np.full_like(pictures['image'], 255)).copy()
            cells.append(put_label(cell, column, (2, 2), (255, 255, 255)))
        figure_rows.append(np.concatenate(cells, axis=1))
    save_png(path, np.concatenate(figure_rows, axis=0))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = parser_for(PROG, __doc__.splitlines()[0])
    parser.add_argument('--out', default='work_dirs/demo', help='output folder')
    parser.add_argument('--iters', type=int, default=1000, help='detector training iterations')
    parser.add_argument('--num-pictures', type=int, default=4, help='synthetic images shown per variant')
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not SYNTHETIC.is_dir():
        print(f'{PROG}: error: the sample data is not at {SYNTHETIC}: run this from a clone of the repository '
              '(an editable install, make install)', file=sys.stderr)
        return 2
    out = (REPO / args.out).resolve()
    start = time.time()
    metrics = extract_and_evaluate(out)
    metrics['detector on CutS3D masks'] = train_and_evaluate(out, args.iters)
    page = render_report(out, metrics, args.num_pictures, time.time() - start)
    print(f'\n{PROG}: done in {(time.time() - start) / 60:.1f} minutes; report: {page}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
