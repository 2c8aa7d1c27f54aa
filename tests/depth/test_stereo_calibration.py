"""Per-image stereo calibration (cuts3d/depth/stereo_calibration.py, ``StereoDepth(calibration='per_image')``):
the lookup order, the sample data's layout, resized pairs, and the errors."""
import json
from pathlib import Path

import numpy as np
import pytest

from cuts3d.depth import StereoDepth
from cuts3d.depth.paths import CompanionNotFoundError
from cuts3d.depth.stereo_calibration import CalibrationError, find_calibration, scaled_calibration
from cuts3d.utils.image_io import load_rgb

REAL = Path(__file__).resolve().parents[2] / 'data' / 'samples' / 'real'
ONE = {'focal_length': 500.0, 'baseline': 100.0, 'doffs': 10.0}


def pairs(tmp_path, names=('a.png', 'sub/b.png')):
    """``tmp_path/pairs/{left,right}/<names>`` (empty files: only the lookup is tested here)."""
    for side in ('left', 'right'):
        for name in names:
            (tmp_path / 'pairs' / side / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / 'pairs' / side / name).write_bytes(b'')
    return tmp_path / 'pairs'


def find(root, rel_path):
    return find_calibration(str(root / 'right' / rel_path), str(root / 'right'), rel_path)


def test_json_beside_the_right_view_comes_first(tmp_path):
    root = pairs(tmp_path)
    (root / 'calibration.json').write_text(json.dumps(dict(ONE, focal_length=1.0)))
    (root / 'right' / 'sub' / 'b.json').write_text(json.dumps(ONE))
    calibration, where = find(root, 'sub/b.png')
    assert calibration == ONE and where.endswith('right/sub/b.json')
    assert find(root, 'a.png')[0]['focal_length'] == 1.0  # no b.json for a: the folder's file


def test_folder_file_keyed_by_path_or_name_nearest_first(tmp_path):
    root = pairs(tmp_path)
    (root / 'calibration.json').write_text(json.dumps({'a': ONE, 'sub/b': dict(ONE, doffs=2.0)}))
    assert find(root, 'a.png')[0] == ONE
    assert find(root, 'sub/b.png')[0]['doffs'] == 2.0
    (root / 'right' / 'sub' / 'calibration.json').write_text(json.dumps({'b': dict(ONE, doffs=3.0)}))
    calibration, where = find(root, 'sub/b.png')
    assert calibration['doffs'] == 3.0 and where.endswith("right/sub/calibration.json['b']")


def test_missing_calibration_names_every_file_tried(tmp_path):
    root = pairs(tmp_path)
    (root / 'calibration.json').write_text(json.dumps({'other': ONE}))
    with pytest.raises(CompanionNotFoundError, match=r"no stereo calibration for image 'a.png'; tried: .*right/a.json"
                                                     r".*right/calibration.json.*pairs/calibration.json \(no entry"):
        find(root, 'a.png')


@pytest.mark.parametrize('content, message', [
    ('{', 'cannot read the calibration'),
    (json.dumps({'a': {'focal_length': 5.0}}), 'expected focal_length and baseline'),
    (json.dumps({'a': dict(ONE, baseline=-1.0)}), 'must be positive'),
    (json.dumps({'a': dict(ONE, doffs='x')}), 'doffs must be a number'),
])
def test_unusable_files_are_errors(tmp_path, content, message):
    root = pairs(tmp_path)
    (root / 'calibration.json').write_text(content)
    with pytest.raises(CalibrationError, match=message):
        find(root, 'a.png')


def test_a_resized_pair_scales_pixels_not_the_baseline():
    calibration = dict(ONE, width=400, height=300)
    assert scaled_calibration(calibration, (300, 400), 'x') == ONE
    assert scaled_calibration(calibration, (150, 200), 'x') == {'focal_length': 250.0, 'baseline': 100.0,
                                                                'doffs': 5.0}
    with pytest.raises(CalibrationError, match='another aspect ratio'):
        scaled_calibration(calibration, (300, 300), 'x')


def test_the_sample_pairs_use_their_shipped_calibration_json():
    """data/samples/real ships one calibration.json for both pairs; per_image reads each its own entry."""
    shipped = json.loads((REAL / 'calibration.json').read_text())
    for stem in ('motorcycle', 'aloe'):
        image = load_rgb(REAL / 'images' / f'{stem}.png')
        meta = {'img_path': str(REAL / 'images' / f'{stem}.png'), 'rel_path': f'{stem}.png'}
        explicit = {key: shipped[stem][key] for key in ('focal_length', 'baseline', 'doffs')}
        expected = StereoDepth(str(REAL / 'right'), calibration=explicit)(image, meta)
        np.testing.assert_array_equal(StereoDepth(str(REAL / 'right'), calibration='per_image')(image, meta), expected)


def test_per_image_is_the_only_string():
    with pytest.raises(ValueError, match="calibration must be a dict, 'per_image' or None"):
        StereoDepth(str(REAL / 'right'), calibration='auto')
