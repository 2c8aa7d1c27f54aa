"""``cuts3d demo IMAGE``: one photo in, an overlay PNG and the json out, saying which depth it used and what became
of every cut; with ``--depth`` and ``--right`` on the Middlebury samples; one-line refusals."""
import json
import re
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from pycocotools.coco import COCO
from skimage import data as skdata

from cuts3d.cli import demo

REAL = Path(__file__).resolve().parents[2] / 'data' / 'samples' / 'real'


@pytest.fixture(scope='module')
def photo(tmp_path_factory):
    """scikit-image's coffee cup photo at 150 x 100 (a real photo, small enough for a test)."""
    path = tmp_path_factory.mktemp('photos') / 'coffee.jpg'
    Image.fromarray(cv2.resize(skdata.coffee(), (150, 100), interpolation=cv2.INTER_AREA)).save(path, quality=95)
    return path


def masks_line(out: str) -> int:
    return int(re.search(r'cuts3d demo: (\d+) pseudo-mask\(s\) -> ', out).group(1))


def test_one_photo_gives_an_overlay_and_its_json(photo, tmp_path, capsys):
    out_dir = tmp_path / 'demo'
    assert demo.main([str(photo), '--out-dir', str(out_dir)]) == 0
    out = capsys.readouterr().out
    assert 'configs/demo/own_photos.py' in out and 'cuts3d demo: depth: none (2D only' in out
    assert re.search(r'^    cut 0: (kept|dropped)', out, re.MULTILINE)
    coco = COCO(str(out_dir / 'coffee.json'))
    assert list(coco.imgs.values()) == [{'id': 1, 'file_name': 'coffee.jpg', 'width': 150, 'height': 100}]
    assert len(coco.anns) == masks_line(out) >= 1
    assert all(coco.annToMask(ann).shape == (100, 150) and 0 < ann['score'] <= 1 for ann in coco.anns.values())
    overlay = np.asarray(Image.open(out_dir / 'coffee.png'))
    assert overlay.shape == (100, 150, 3) and not np.array_equal(overlay, np.asarray(Image.open(photo)))


def test_large_photos_are_processed_downscaled_with_full_size_masks(photo, tmp_path, capsys):
    assert demo.main([str(photo), '--out-dir', str(tmp_path), '--cfg-options', 'extraction.max_side=64']) == 0
    coco = COCO(str(tmp_path / 'coffee.json'))
    assert coco.imgs[1]['width'] == 150 and all(coco.annToMask(a).shape == (100, 150) for a in coco.anns.values())


def test_stereo_pair_uses_its_calibration_json(tmp_path, capsys):
    assert demo.main([str(REAL / 'images' / 'motorcycle.png'), '--right', str(REAL / 'right' / 'motorcycle.png'),
                      '--out-dir', str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert 'own_photos_stereo.py' in out and 'depth: stereo matching (SGBM) against the right views' in out
    assert masks_line(out) >= 1 and json.loads((tmp_path / 'motorcycle.json').read_text())['annotations']


def test_depth_map_file(tmp_path, capsys):
    assert demo.main([str(REAL / 'images' / 'aloe.png'), '--depth', str(REAL / 'depth' / 'aloe.npy'),
                      '--out-dir', str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert 'own_photos_depth.py' in out and f'depth: depth maps from {REAL / "depth"} (FileDepth)' in out
    assert len(json.loads((tmp_path / 'aloe.json').read_text())['annotations']) == masks_line(out)


@pytest.mark.parametrize('args, message', [
    (['--config', 'configs/demo/demo_cuts3d.py'], 'need depth, but pseudo_mask_generator.depth_source is None'),
    (['--depth', 'no/such/depth.npy'], '--depth no/such/depth.npy is neither a file nor a folder'),
    (['--right', str(REAL / 'images' / 'aloe.png')], "calibration.json['aloe'] is for a 320 x 277 image"),
])
def test_bad_inputs_are_one_line(photo, tmp_path, capsys, args, message):
    assert demo.main([str(photo), '--out-dir', str(tmp_path), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith('cuts3d demo: error:') and message in err, err


def test_a_pair_without_calibration_says_where_it_looked(photo, tmp_path, capsys):
    right = tmp_path / 'pair' / 'right.jpg'
    right.parent.mkdir()
    right.write_bytes(photo.read_bytes())
    assert demo.main([str(photo), '--right', str(right), '--out-dir', str(tmp_path / 'out')]) == 2
    err = capsys.readouterr().err.strip()
    assert "no stereo calibration for image 'right.jpg'; tried: " in err and 'pair/right.json' in err
    assert demo.main([str(photo), '--right', str(right), '--out-dir', str(tmp_path / 'out'), '--cfg-options',
                      'pseudo_mask_generator.depth_source.calibration=None']) == 0  # 1 / disparity, on request


def test_never_overwrites_the_image(tmp_path, capsys):
    image = tmp_path / 'shot.png'
    Image.fromarray(np.full((40, 50, 3), 120, np.uint8)).save(image)
    assert demo.main([str(image), '--out-dir', str(tmp_path)]) == 2
    assert 'is the image file; it would be overwritten' in capsys.readouterr().err
    assert demo.main([str(tmp_path / 'missing.png')]) == 2
