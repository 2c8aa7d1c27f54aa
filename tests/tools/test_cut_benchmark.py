"""The cut-stage benchmark (tools/cut_benchmark.py) on tiny inputs; no timing is asserted."""
from pathlib import Path

import numpy as np
import pytest

from cuts3d.structures import PatchFeatures
from tool_modules import load_tool

cut_benchmark = load_tool('cut_benchmark')
BenchmarkImage, CutlerMaskcut = cut_benchmark.BenchmarkImage, cut_benchmark.CutlerMaskcut
benchmark_cuts, summarize = cut_benchmark.benchmark_cuts, cut_benchmark.summarize

REPO = Path(__file__).resolve().parents[2]
GRID = (12, 14)


def planted_image(seed: int) -> BenchmarkImage:
    """Two objects on a background, each nearer than the background in depth."""
    rng = np.random.default_rng(seed)
    labels = np.zeros(GRID, int)
    labels[2:7, 2:7] = 1
    labels[6:11, 9:13] = 2
    feats = rng.standard_normal((3, 64))[labels] + 0.8 * rng.standard_normal((*GRID, 64))
    depth = np.kron(np.where(labels > 0, 0.3, 0.8), np.ones((8, 8))).astype(np.float32)
    return BenchmarkImage(f'planted_{seed}.png', np.zeros((96, 112, 3), np.uint8),
                          PatchFeatures(np.ascontiguousarray(feats.transpose(2, 0, 1), np.float32), 8, (96, 112)),
                          depth)


def test_every_mode_and_cutter_is_timed_and_compared_with_the_reference():
    images = [planted_image(0), planted_image(1)]
    rows = benchmark_cuts(images, cutters={'fast': {}, 'lobpcg': dict(solver='lobpcg')}, repeats=2)
    assert len(rows) == 2 * 2 * 3
    for row in rows:
        assert set(cut_benchmark.CUT_STAGES) <= set(row) and row['total'] > 0 and row['masks'] >= 1
        assert row['same_masks_as_reference']
    summary = summarize(rows)
    assert [(line['mode'], line['cutter']) for line in summary] == [
        ('cutler', 'fast'), ('cutler', 'lobpcg'), ('cutler', 'reference'),
        ('cuts3d', 'fast'), ('cuts3d', 'lobpcg'), ('cuts3d', 'reference')]
    assert all(line['same_masks'] == 2 and line['reference_ratio'] > 0 for line in summary)
    assert 'same masks' in cut_benchmark.format_summary(summary).splitlines()[0]


def test_a_difference_from_the_reference_that_is_the_eigenvector_sign_is_told_apart():
    """A centred object larger than its background frame: the reference's LAPACK sign keeps the frame
    (tests/cutting/test_maskcut_parity.py), the canonical fast cutter the object."""
    rng = np.random.default_rng(4)
    labels = np.zeros((20, 20), int)
    labels[2:18, 2:18] = 1
    feats = rng.standard_normal((2, 64))[labels] + rng.standard_normal((20, 20, 64))
    image = BenchmarkImage('large_object.png', np.zeros((160, 160, 3), np.uint8),
                           PatchFeatures(np.ascontiguousarray(feats.transpose(2, 0, 1), np.float32), 8, (160, 160)),
                           np.full((160, 160), 0.5, np.float32))
    rows = benchmark_cuts([image], modes=('cutler',), repeats=1)
    fast = rows[0]
    assert not fast['same_masks_as_reference'] and fast['same_masks_as_canonical_reference']
    assert summarize(rows)[0]['sign_cases'] == 1


def fake_checkout(root: Path, body: str) -> Path:
    (root / 'maskcut').mkdir(parents=True)
    (root / 'maskcut' / 'maskcut.py').write_text(body)
    return root


def test_cutler_code_is_timed_in_the_checkout_on_the_same_features(tmp_path):
    root = fake_checkout(tmp_path, '''
import numpy as np
def maskcut_forward(feats, dims, scales, init_image_size, tau=0, N=3, cpu=False):
    assert feats.shape == (64, 12 * 14) and list(dims) == [12, 14] and list(scales) == [8, 8]
    assert list(init_image_size) == [96, 112] and tau == 0.15 and N == 3 and cpu
''')
    images = [planted_image(0), planted_image(1)]
    with CutlerMaskcut(root, images) as cutler:
        rows = benchmark_cuts(images, modes=('cutler',), repeats=1, reference=False, cutler=cutler)
    assert all(row['cutler_seconds'] >= 0 for row in rows)
    assert summarize(rows)[0]['cutler_ratio'] >= 0


def test_a_broken_cutler_checkout_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match='not a CutLER checkout'):
        CutlerMaskcut(tmp_path, [planted_image(0)])
    root = fake_checkout(tmp_path / 'cutler', 'from TokenCut.unsupervised_saliency_detection import utils\n')
    with pytest.raises(RuntimeError, match='clone with --recursive(.|\n)*ModuleNotFoundError'):
        with CutlerMaskcut(root, [planted_image(0)]):
            pass


def test_sample_and_rendered_images_come_with_features_and_depth():
    extractor = cut_benchmark.feature_extractor(size=64)
    images = cut_benchmark.sample_images(REPO, extractor)
    assert len(images) == 10
    rendered = cut_benchmark.rendered_image('scene', np.zeros((40, 48, 3), np.uint8),
                                            np.linspace(2.0, 5.0, 40 * 48).reshape(40, 48), extractor)
    for image in images + [rendered]:
        assert image.feats.grid == (8, 8) and image.depth.shape == image.image.shape[:2]
        assert 0.0 <= np.nanmin(image.depth) and np.nanmax(image.depth) <= 1.0
