"""tools/visualize.py end to end on two synthetic scenes (colour features, file depth, LocalCut)."""
import html
import json
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from cuts3d.utils.synthetic_images import write_synthetic_dataset

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / 'tools' / 'visualize.py'
CONFIG = """
pseudo_mask_generator = dict(
    type='MaskCutGenerator',
    feature_extractor=dict(type='PatchColorFeatures', patch_size=8, input_size=(96, 96)),
    depth_source=dict(type='FileDepth', root='/nonexistent'),
    cutter=dict(type='NCutCutter', affinity_modifiers=[dict(type='SpatialImportance')]),
    partitioner=dict(type='LocalCut'),
    confidence=dict(type='SpatialConfidence'),
    refiner=dict(type='NoRefiner'),
    num_cuts=4)
"""


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp('scenes')
    ann = write_synthetic_dataset(root, num=3, seed=0, size=96)
    config = root / 'cfg.py'
    config.write_text(CONFIG)
    return root, ann, config


@pytest.fixture(scope='module')
def main():
    return runpy.run_path(str(TOOL), run_name='visualize_tool')['main']


def test_writes_every_picture_and_the_index(data, main, tmp_path):
    root, ann, config = data
    out = tmp_path / 'vis'
    code = main([str(config), '--images', str(root / 'images'), '--depth', str(root / 'depth'), '--num', '2',
                 '--out', str(out), '--gt', str(ann), '--predictions', str(ann), '--max-side', '64'])
    assert code == 0
    page = (out / 'index.html').read_text()
    sources = [html.unescape(s) for s in re.findall(r'<img src="([^"]+)"', page)]
    assert sources and all((out / s).is_file() for s in sources)
    assert {s.split('/')[0] for s in sources} == {'scene_0000_png', 'scene_0001_png'}
    for caption in ('depth', 'spatial importance', 'cut 0: eigenvector', 'cut 0: LocalCut', 'cut 0: point cloud',
                    'pseudo-masks', 'ground truth', 'predictions'):
        assert f'<figcaption>{caption}</figcaption>' in page
    assert '<table class="metrics">' in page and '>scene_0001.png<' in page


def test_says_how_many_it_shows_and_why_each_cut_went(data, main, tmp_path, capsys):
    """It took 4 images without saying so and gave no reason for a missing mask (the aloe): now it says both."""
    root, _, config = data
    out = tmp_path / 'vis'
    assert main([str(config), '--images', str(root / 'images'), '--depth', str(root / 'depth'), '--num', '2',
                 '--out', str(out), '--max-side', '64']) == 0
    captured = capsys.readouterr()
    assert 'cuts3d visualize: showing 2 of 3 images (the first ones, sorted; --num N or --all for more)' \
        in captured.out
    assert 'visualize: 100%' in captured.err and '2/2' in captured.err  # the progress bar
    page = html.unescape((out / 'index.html').read_text())
    lists = re.findall(r'<ul class="notes">(.*?)</ul>', page)
    assert len(lists) == 2 and all(re.search(r'<li>cut 0: (kept|dropped)', items) for items in lists)
    decisions = re.findall(r'<li>cut \d: (kept|dropped|stopped)', page)
    assert len(decisions) >= 4 and {'kept'} < set(decisions)  # more than the kept cuts are explained
    assert 'Showing 2 of 3 images' in page
    assert main([str(config), '--images', str(root / 'images'), '--depth', str(root / 'depth'), '--all',
                 '--out', str(tmp_path / 'all'), '--max-side', '64', '--no-progress']) == 0
    assert 'showing 3 of 3 images\n' in capsys.readouterr().out


def test_bad_input_exits_2_with_one_line(data, main, tmp_path, capsys):
    root, _, config = data
    assert main([str(tmp_path / 'none.py'), '--images', str(root / 'images')]) == 2
    assert 'config file not found' in capsys.readouterr().err
    empty = tmp_path / 'empty.py'
    empty.write_text('x = 1\n')
    assert main([str(empty), '--images', str(root / 'images')]) == 2
    assert 'no pseudo_mask_generator' in capsys.readouterr().err
    assert main([str(config), '--images', str(tmp_path / 'no_images')]) == 2
    assert main([str(config), '--images', str(root / 'images'), '--depth', str(tmp_path / 'nope')]) == 2
    bad = tmp_path / 'bad.json'
    bad.write_text(json.dumps({'annotations': []}))
    assert main([str(config), '--images', str(root / 'images'), '--depth', str(root / 'depth'),
                 '--predictions', str(bad)]) == 2
    assert 'needs "images"' in capsys.readouterr().err


def test_runs_as_a_script(data, tmp_path):
    root, _, config = data
    result = subprocess.run([sys.executable, str(TOOL), str(config), '--images', str(root / 'images'),
                             '--depth', str(root / 'depth'), '--num', '1', '--out', str(tmp_path)],
                            capture_output=True, text=True, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / 'index.html').is_file()
