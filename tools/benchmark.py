"""Benchmarks of the two stages; each subcommand prints a table (and optionally writes json).

    python tools/benchmark.py extraction [--sizes 480 800] [--solvers dense fast] [--modes cutler cuts3d]
        [--backbones patch_color dino_vits8] [--max-dense-nodes N] [--out FILE.json]
    python tools/benchmark.py extraction --end-to-end [--sizes 480 800] [--modes cutler cuts3d]
        [--runners serial pipelined] [--images N] [--threads 2] [--device cpu|cuda] [--depth file|model]
        [--out FILE.json]

``extraction`` times every stage of one pseudo-mask generator call (features, depth, affinity + eigensolve,
partition, confidence, CRF) on a synthetic 640 x 480 scene, for each combination of feature input size, NCut
solver, method (CutLER: 2D connected component, constant confidence; CutS3D: Spatial Importance, LocalCut,
Spatial Confidence, stop on the rest) and backbone (weight-free patch colours; DINO ViT-S/8 with random weights,
which costs what the trained one costs). Every combination runs in a fresh process, so its peak memory is its
own: the table gives the process's resident memory before the call (imports, model), its peak RSS, and the
peak of numpy/Python allocations during the call (tracemalloc; torch's own allocations are not traced). Stage
columns are seconds; ``cut`` is affinity + eigensolve for all cuts of the image.

``extraction --end-to-end`` runs the extraction runner itself (``cuts3d extract``'s) over a folder of rendered
scenes with random-weight DINO ViT-B/8, serial against pipelined, and reports images per second end to end, per
stage and of the backbone forward alone, the device's busy fraction, peak memory of the process tree and of the
GPU (``tools/extraction_benchmark.py``). ``--device cuda --depth model`` is the GPU mode: CutS3D with a
random-weight Depth Anything V2 Small on the GPU (``--images`` defaults to 4 on the CPU, 64 on a GPU).

A subcommand is one
``add_<name>_arguments`` / ``run_<name>`` pair registered in :data:`SUBCOMMANDS`.

    python tools/benchmark.py training [--variants cutler cuts3d] [--iters 10] [--warmup 2] [--size 256]
        [--batch-size 2] [--num-images 8] [--out FILE.json]

    python tools/benchmark.py cuts [--modes cutler cuts3d] [--solvers fast] [--precisions float32] [--repeats 3]
        [--threads 1] [--size 480] [--device cpu] [--no-reference] [--cutler-root DIR] [--scenes N --seed S]
        [--out FILE.json]

``cuts`` times the cut stage (NCut cuts, partitioner, confidence; no CRF) per image on EfficientNet-Lite0
features of the sample images (``data/samples/``, plus ``--scenes`` rendered ones), for each fast solver against
the CutLER-equivalent reference (``solver='dense', orientation='solver'``) back to back, and optionally against
CutLER's own ``maskcut_forward`` from a checkout (``--cutler-root``); it reports seconds per stage, the ratios and
how many images got the reference's masks (`tools/cut_benchmark.py`, docs/performance.md).

    python tools/benchmark.py quality [--kinds ...] [--seeds 0 1] [--per-kind 6] [--features patch_color
        efficientnet] [--variants maskcut cuts3d NAME=CONFIG.py ...] [--set KEY=VALUE ...] [--out FILE.json]

``quality`` scores extraction variants on synthetic scenes with ground truth and true depth: class-agnostic mask AP
and AP50 per scene kind, the AUROC of Spatial Confidence for correct mask pixels, and what the refiner (CRF) did
(`tools/quality_benchmark.py`; tables in ``docs/extraction_quality.md``).

``training`` times training iterations of the tiny detector configs on synthetic pseudo-masks with Spatial
Confidence: ``cutler`` (configs/demo/cad_tiny.py: random copy-paste, plain mask BCE) against ``cuts3d``
(configs/demo/cuts3d_cad_tiny.py: confident copy-paste, SC alpha blending, SC soft-target mask loss), each in a
fresh process; columns are median seconds per iteration of the dataloader (``data``) and of the model update
(``step``: forward, losses, backward, optimizer; ``step cpu`` in CPU seconds of all threads; see
``tools/training_benchmark.py``).
"""
from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import resource
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable
from queue import Empty
from typing import Any

import numpy as np

SCENE_SIZE = (480, 640)
BACKBONES = {
    'patch_color': lambda size: dict(type='PatchColorFeatures', patch_size=8, input_size=(size, size)),
    'dino_vits8': lambda size: dict(type='DINOFeatures', arch='vit_small', patch_size=8, pretrained=False,
                                    input_size=(size, size)),
}
MODES = ('cutler', 'cuts3d')
STAGE_COLUMNS = ('features', 'depth', 'cut', 'partition', 'confidence', 'refine')


def synthetic_scene(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A textured ground with three coloured objects, and its depth (objects nearer than a receding ground)."""
    rng = np.random.default_rng(seed)
    height, width = SCENE_SIZE
    rows = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    depth = np.repeat(1.0 - 0.6 * rows, width, axis=1)
    image = np.empty((height, width, 3), np.float32)
    image[:] = (70, 130, 60)
    for (y, x, h, w), colour, near in zip([(60, 60, 180, 160), (220, 300, 200, 220), (80, 440, 140, 140)],
                                          [(200, 50, 40), (40, 60, 190), (220, 200, 60)], [0.25, 0.35, 0.45]):
        image[y:y + h, x:x + w] = colour
        depth[y:y + h, x:x + w] = near
    image += rng.normal(0, 12, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8), depth.astype(np.float32)


class SceneDepth:
    """Depth source returning the synthetic scene's depth (the benchmark's stand-in for FileDepth)."""

    def __init__(self, depth: np.ndarray) -> None:
        self.depth = depth

    def __call__(self, image: np.ndarray, meta: dict) -> np.ndarray:
        return self.depth


def generator_config(backbone: str, size: int, solver: str, mode: str, depth: np.ndarray) -> dict:
    """The MaskCutGenerator config of one benchmark case (DenseCRF refiner in both modes, as the reference).

    Random-weight features are all alike, so they are binarised at the end-to-end benchmark's
    ``RANDOM_WEIGHT_TAU`` instead of MaskCut's 0.15, where their graph is one clique and nothing would be cut
    (tools/extraction_benchmark.py)."""
    from extraction_benchmark import RANDOM_WEIGHT_TAU  # beside this script

    features = BACKBONES[backbone](size)
    tau = RANDOM_WEIGHT_TAU if features.get('pretrained') is False else 0.15
    cfg = dict(type='MaskCutGenerator', feature_extractor=features,
               cutter=dict(type='NCutCutter', tau=tau, solver=solver), refiner=dict(type='DenseCRF'), num_cuts=3)
    if mode == 'cutler':
        return dict(cfg, partitioner=dict(type='ConnectedComponent2D'), confidence=dict(type='ConstantConfidence'))
    return dict(cfg, depth_source=SceneDepth(depth),
                cutter=dict(cfg['cutter'], affinity_modifiers=[dict(type='SpatialImportance')]),
                partitioner=dict(type='LocalCut'), confidence=dict(type='SpatialConfidence'), stop_on_rest=True)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports KiB


def _current_rss_mb() -> float:
    """Resident memory now (Linux ``/proc/self/statm``): the baseline after imports and model building."""
    with open('/proc/self/statm', encoding='ascii') as handle:
        return int(handle.read().split()[1]) * resource.getpagesize() / 2 ** 20


def measure_extraction(case: dict, queue: multiprocessing.Queue) -> None:
    """Child process: build the generator of ``case``, run it once on the scene, report seconds and memory."""
    from cuts3d.registry import PSEUDO_MASK_GENERATORS, build_component

    warnings.simplefilter('ignore')  # the random-weights warning of the DINO case
    image, depth = synthetic_scene()
    generator = build_component(generator_config(case['backbone'], case['size'], case['solver'], case['mode'],
                                                 depth), PSEUDO_MASK_GENERATORS)
    rss_before = _current_rss_mb()
    tracemalloc.start()
    start = time.perf_counter()
    instances = generator(image, {'img_path': 'synthetic', 'rel_path': 'synthetic.png'})
    total = time.perf_counter() - start
    traced_peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
    tracemalloc.stop()
    queue.put(dict(case, **generator.timings, total=total, masks=len(instances), traced_peak_mb=traced_peak,
                   rss_before_mb=rss_before, peak_rss_mb=_peak_rss_mb()))


def run_case(case: dict, measure: Callable[[dict, multiprocessing.Queue], None] = measure_extraction) -> dict:
    """Run ``measure(case)`` in a fresh (spawned) process and return its measurements.

    The result is taken from the queue before joining: a child blocks on exit until its queued data is read.
    """
    context = multiprocessing.get_context('spawn')
    queue = context.Queue()
    process = context.Process(target=measure, args=(case, queue))
    process.start()
    while True:
        try:
            result = queue.get(timeout=1.0)
            break
        except Empty:
            if not process.is_alive() and queue.empty():
                process.join()
                return dict(case, error=f'exit code {process.exitcode}')
    process.join()
    return result


def add_extraction_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--sizes', type=int, nargs='+', default=[480, 800], help='feature input sizes (square)')
    parser.add_argument('--solvers', nargs='+', choices=('dense', 'fast', 'lobpcg'), default=['dense', 'fast'])
    parser.add_argument('--modes', nargs='+', choices=MODES, default=list(MODES))
    parser.add_argument('--backbones', nargs='+', choices=sorted(BACKBONES), default=sorted(BACKBONES))
    parser.add_argument('--max-dense-nodes', type=int, default=None,
                        help='skip the dense solver on grids with more patches (its cost grows as N^3)')
    parser.add_argument('--end-to-end', action='store_true',
                        help='time the extraction runner over a folder of images, serial vs pipelined, with DINO '
                             'ViT-B/8 (random weights); --solvers, --backbones, --max-dense-nodes do not apply')
    parser.add_argument('--runners', nargs='+', choices=('serial', 'pipelined'), default=['serial', 'pipelined'])
    parser.add_argument('--images', type=int, default=None,
                        help='rendered scenes per case (default 4 on the CPU, 64 on a GPU)')
    parser.add_argument('--threads', type=int, default=2, help='torch/BLAS/OpenMP threads of the main process')
    parser.add_argument('--device', default='cpu', help='device of the feature extractor (and of a depth model)')
    parser.add_argument('--arch', choices=('vit_small', 'vit_base'), default='vit_base',
                        help='DINO backbone of --end-to-end (patch 8, random weights)')
    parser.add_argument('--depth', choices=('file', 'model'), default='file',
                        help="CutS3D's depth: .npy files (FileDepth), or a random-weight Depth Anything V2 Small "
                             'on --device')
    parser.add_argument('--out', help='also write the rows as json')


def format_rows(rows: list[dict]) -> str:
    header = ['backbone', 'mode', 'size', 'solver', *STAGE_COLUMNS, 'total', 'masks', 'np MB', 'RSS0 MB',
              'RSS MB']
    lines = [' '.join(f'{h:>11}' for h in header)]
    for row in rows:
        head = [row['backbone'], row['mode'], str(row['size']), row['solver']]
        if 'error' in row or 'skipped' in row:
            lines.append(' '.join(f'{c:>11}' for c in head) + '  ' + row.get('error', row.get('skipped', '')))
            continue
        cells = [f'{row[s]:.3f}' for s in (*STAGE_COLUMNS, 'total')]
        cells += [str(row['masks'])] + [f'{row[k]:.0f}' for k in ('traced_peak_mb', 'rss_before_mb', 'peak_rss_mb')]
        lines.append(' '.join(f'{c:>11}' for c in head + cells))
    return '\n'.join(lines)


def measure_end_to_end(case: dict, queue: multiprocessing.Queue) -> None:
    """Child process: one (mode, size) case of ``extraction --end-to-end``."""
    from extraction_benchmark import measure_end_to_end as measure  # tools/extraction_benchmark.py, beside this

    queue.put(measure(case))


def run_end_to_end(args: argparse.Namespace) -> int:
    import os

    from cut_benchmark import load_average  # beside this script
    from extraction_benchmark import format_end_to_end

    for name in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
        os.environ[name] = str(args.threads)
    images = args.images or (64 if args.device.startswith('cuda') else 4)
    start, load_before = time.perf_counter(), load_average()
    results = []
    for mode, size in itertools.product(args.modes, args.sizes):
        case = dict(mode=mode, size=size, runners=args.runners, images=images, threads=args.threads,
                    device=args.device, depth=args.depth, arch=args.arch)
        results.append(run_case(case, measure_end_to_end))
        print(format_end_to_end(results[-1:]), flush=True)
    print(format_end_to_end(results))
    print(f'load average before: {load_before}; after: {load_average()}; {time.perf_counter() - start:.0f} s; '
          f'{args.threads} thread(s); {images} image(s) per case')
    if args.out:
        with open(args.out, 'w', encoding='utf-8') as handle:
            json.dump(results, handle, indent=1)
    failed = [result for result in results if 'error' in result or not result['same_json']]
    return 1 if failed else 0


def run_extraction(args: argparse.Namespace) -> int:
    if args.end_to_end:
        return run_end_to_end(args)
    rows = []
    for backbone, mode, size, solver in itertools.product(args.backbones, args.modes, args.sizes, args.solvers):
        case = dict(backbone=backbone, mode=mode, size=size, solver=solver)
        nodes = (size // 8) ** 2
        if solver == 'dense' and args.max_dense_nodes is not None and nodes > args.max_dense_nodes:
            rows.append(dict(case, skipped=f'skipped: {nodes} nodes > --max-dense-nodes {args.max_dense_nodes}'))
        else:
            rows.append(run_case(case))
        print(format_rows(rows[-1:]).splitlines()[1], flush=True)
    print(format_rows(rows))
    if args.out:
        with open(args.out, 'w', encoding='utf-8') as handle:
            json.dump(rows, handle, indent=1)
    return 0


def measure_cuts(case: dict, queue: multiprocessing.Queue) -> None:
    """Child process (threads pinned by its environment): features once, then the cutters, the reference and
    CutLER's own code image by image."""
    from contextlib import nullcontext

    import torch

    import cut_benchmark  # tools/cut_benchmark.py, beside this script

    torch.set_num_threads(case['threads'])
    warnings.simplefilter('ignore')
    extractor = cut_benchmark.feature_extractor(case['size'], device=case['device'])
    images = cut_benchmark.sample_images('.', extractor)
    if case['scenes']:
        from cuts3d.utils.synthetic_images import generate_scene

        scenes = [generate_scene(index, seed=case['seed']) for index in range(case['scenes'])]
        images += [cut_benchmark.rendered_image(f'scene_{case["seed"]}_{index}', scene.image, scene.depth,
                                                extractor) for index, scene in enumerate(scenes)]
    cutters = {solver if precision == 'float32' else f'{solver}-{precision}':
               dict(solver=solver, device=case['device'], precision=precision)
               for solver in case['solvers'] for precision in case['precisions']}
    cutler = (cut_benchmark.CutlerMaskcut(case['cutler_root'], images, case['threads']) if case['cutler_root']
              else nullcontext())
    with cutler:
        rows = cut_benchmark.benchmark_cuts(images, tuple(case['modes']), cutters, case['repeats'], case['reference'],
                                            cutler if case['cutler_root'] else None)
    queue.put(rows)


def add_cuts_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--modes', nargs='+', choices=('cutler', 'cuts3d'), default=['cutler', 'cuts3d'])
    parser.add_argument('--solvers', nargs='+', choices=('fast', 'lobpcg'), default=['fast'],
                        help='NCutCutter solvers to time against the reference')
    parser.add_argument('--precisions', nargs='+', choices=('float32', 'float64'), default=['float32'],
                        help="NCutCutter precisions of the fast solvers")
    parser.add_argument('--repeats', type=int, default=3, help='runs of each fast solver per image (median)')
    parser.add_argument('--threads', type=int, default=1, help='BLAS/OpenMP/torch threads of the measuring process')
    parser.add_argument('--size', type=int, default=480, help='feature input size (8 px patches: 60 x 60 at 480)')
    parser.add_argument('--device', default='cpu', help='torch device of the features and the NCut solver')
    parser.add_argument('--no-reference', dest='reference', action='store_false',
                        help='skip the float64 reference (about 5 s per cut at 480 px)')
    parser.add_argument('--cutler-root', help="also time CutLER's own maskcut_forward from this checkout")
    parser.add_argument('--scenes', type=int, default=0,
                        help='also cut this many rendered synthetic scenes (cuts3d.utils.synthetic_images, all kinds)')
    parser.add_argument('--seed', type=int, default=1, help='seed of the rendered scenes')
    parser.add_argument('--out', help='also write the per-image rows and the summary as json')


def run_cuts(args: argparse.Namespace) -> int:
    import os

    from cut_benchmark import format_summary, load_average, summarize  # beside this script

    for name in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
        os.environ[name] = str(args.threads)
    start, load_before = time.perf_counter(), load_average()
    rows = run_case(dict(modes=args.modes, solvers=args.solvers, precisions=args.precisions, repeats=args.repeats,
                         threads=args.threads,
                         size=args.size, device=args.device, reference=args.reference,
                         cutler_root=args.cutler_root, scenes=args.scenes, seed=args.seed), measure_cuts)
    if isinstance(rows, dict):
        print(f'benchmark cuts: the measuring process failed ({rows["error"]})', file=sys.stderr)
        return 1
    summary = summarize(rows)
    print(format_summary(summary))
    print(f'load average before: {load_before}; after: {load_average()}; {time.perf_counter() - start:.0f} s; '
          f'{args.threads} thread(s)')
    if args.out:
        with open(args.out, 'w', encoding='utf-8') as handle:
            json.dump(dict(summary=summary, rows=rows), handle, indent=1)
    return 0


TRAINING_VARIANTS = {'cutler': 'configs/demo/cad_tiny.py', 'cuts3d': 'configs/demo/cuts3d_cad_tiny.py'}


def measure_training(case: dict, queue: multiprocessing.Queue) -> None:
    """Child process: time training iterations of one variant on the benchmark data."""
    from pathlib import Path

    from training_benchmark import time_training_steps  # tools/training_benchmark.py, beside this script

    timings = time_training_steps(TRAINING_VARIANTS[case['variant']], Path(case['data']), case['iters'],
                                  case['warmup'], case['batch_size'])
    queue.put(dict(case, **timings))


def add_training_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument('--variants', nargs='+', choices=sorted(TRAINING_VARIANTS), default=['cutler', 'cuts3d'])
    parser.add_argument('--iters', type=int, default=10, help='timed iterations per variant')
    parser.add_argument('--warmup', type=int, default=2, help='untimed iterations first')
    parser.add_argument('--size', type=int, default=256, help='side of the synthetic images')
    parser.add_argument('--num-images', type=int, default=8)
    parser.add_argument('--batch-size', type=int, default=2)
    parser.add_argument('--repeats', type=int, default=1,
                        help='run the variants in turn this many times (interleaved, so machine load hits both)')
    parser.add_argument('--out', help='also write the rows as json')


def run_training(args: argparse.Namespace) -> int:
    import tempfile
    from pathlib import Path

    from training_benchmark import write_benchmark_data  # tools/training_benchmark.py, beside this script

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        data = write_benchmark_data(Path(tmp), args.num_images, args.size)
        for repeat, variant in itertools.product(range(args.repeats), args.variants):
            case = dict(variant=variant, repeat=repeat, data=str(data), iters=args.iters, warmup=args.warmup,
                        batch_size=args.batch_size)
            rows.append(run_case(case, measure_training))
    print(f'{"variant":>8} {"config":>32} {"data s":>8} {"step s":>8} {"total s":>8} {"step min":>9} {"step max":>9} '
          f'{"step cpu":>9}')
    for row in rows:
        if 'error' in row:
            print(f'{row["variant"]:>8}  {row["error"]}')
            continue
        print(f'{row["variant"]:>8} {TRAINING_VARIANTS[row["variant"]]:>32} {row["data_s"]:8.3f} {row["step_s"]:8.3f} '
              f'{row["total_s"]:8.3f} {row["step_min_s"]:9.3f} {row["step_max_s"]:9.3f} {row["step_cpu_s"]:9.3f}')
    if args.out:
        with open(args.out, 'w', encoding='utf-8') as handle:
            json.dump([{k: v for k, v in row.items() if k != 'data'} for row in rows], handle, indent=1)
    return 0


def add_quality_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``quality`` subcommand's arguments (tools/quality_benchmark.py runs it)."""
    from cuts3d.utils.synthetic_images import SCENE_KINDS

    parser.add_argument('--kinds', nargs='+', choices=SCENE_KINDS, default=list(SCENE_KINDS))
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1], help='scene seeds (tune on some, report '
                        'on others)')
    parser.add_argument('--per-kind', type=int, default=6, help='scenes per kind and seed')
    parser.add_argument('--size', type=int, default=480,
                        help='scene side in pixels, also the feature input size (480: the paper\'s 60 x 60 grid)')
    parser.add_argument('--depth-blur', type=float, default=0.0,
                        help='Gaussian blur of the true depth in pixels (0: true depth; > 0: monocular-like ramps)')
    parser.add_argument('--features', nargs='+', default=['patch_color'],
                        help='patch_color (weight-free), efficientnet (the offline EfficientNet-Lite0 stand-in)')
    parser.add_argument('--variants', nargs='+', default=['maskcut', 'cuts3d'],
                        help='built-in variants (maskcut, cuts3d, cuts3d_no_si, cuts3d_no_crf, cuts3d_no_si_no_crf, '
                             'maskcut_no_crf: tools/quality_benchmark.py VARIANTS), or NAME=CONFIG.py for a config '
                             'whose pseudo_mask_generator is used as it is (features and depth replaced)')
    parser.add_argument('--set', nargs='+', default=[], metavar='KEY=VALUE',
                        help='dotted overrides of pseudo_mask_generator applied to every case (python literals, '
                             'dict(...) allowed)')
    parser.add_argument('--maskcut-config', default='configs/_base_/pseudo_masks/maskcut.py')
    parser.add_argument('--cuts3d-config', default='configs/_base_/pseudo_masks/cuts3d.py')
    parser.add_argument('--out', help='also write the rows as json')
    parser.add_argument('--out-dir', help='write <kind>/<features>_<variant>.json pseudo-mask files and '
                        '<kind>/ground_truth.json here (for tools/eval_pseudo_masks.py)')


def run_quality(args: argparse.Namespace) -> int:
    from quality_benchmark import run_quality as run  # tools/quality_benchmark.py, beside this script

    return run(args)


SUBCOMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[Any], int]]] = {
    'extraction': ('per-stage time and memory of pseudo-mask extraction', add_extraction_arguments, run_extraction),
    'cuts': ('cut stage per image against the CutLER-equivalent reference', add_cuts_arguments, run_cuts),
    'training': ('step time of the tiny detectors: CutLER vs CutS3D training components', add_training_arguments,
                 run_training),
    'quality': ('mask AP, Spatial Confidence AUROC and CRF record of extraction variants on synthetic scenes',
                add_quality_arguments, run_quality),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='benchmark.py', description=__doc__.split('\n')[0])
    commands = parser.add_subparsers(dest='command', required=True)
    for name, (help_text, add_arguments, run) in SUBCOMMANDS.items():
        add_arguments(commands.add_parser(name, help=help_text))
    args = parser.parse_args(argv)
    return SUBCOMMANDS[args.command][2](args)


if __name__ == '__main__':
    sys.exit(main())
