"""tools/make_synthetic_scenes.py: the CLI writes the dataset, refuses bad arguments."""
import json
import runpy
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[2] / 'tools' / 'make_synthetic_scenes.py'


@pytest.fixture(scope='module')
def main():
    return runpy.run_path(str(TOOL), run_name='make_synthetic_scenes')['main']


def test_writes_images_depth_and_annotations(main, tmp_path):
    assert main(['--out', str(tmp_path), '--num', '2', '--seed', '1', '--size', '64',
                 '--kinds', 'distinct_separated']) == 0
    coco = json.loads((tmp_path / 'annotations.json').read_text())
    assert [img['scene_kind'] for img in coco['images']] == ['distinct_separated'] * 2
    assert sorted(p.name for p in (tmp_path / 'depth').iterdir()) == ['scene_0000.npy', 'scene_0001.npy']


def test_bad_size_exits_2(main, tmp_path, capsys):
    assert main(['--out', str(tmp_path), '--size', '16']) == 2
    assert 'at least 64' in capsys.readouterr().err
