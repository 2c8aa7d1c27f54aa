"""16-bit depth PNGs with their scale (cuts3d/depth/depth_png.py)."""
import cv2
import numpy as np
import pytest
from PIL import Image

from cuts3d.depth import read_depth_png, write_depth_png


def test_round_trip_within_half_a_level_and_unknown_kept(tmp_path):
    rng = np.random.default_rng(0)
    depth = rng.random((31, 47)).astype(np.float32)
    depth[0, 0], depth[1, 1], depth[2, 2] = 0.0, 1.0, np.nan
    path = str(tmp_path / 'n01' / 'a.png')
    write_depth_png(path, depth, source='ZoeDepth')
    back = read_depth_png(path)
    assert back.dtype == np.float32 and np.isnan(back[2, 2]) and np.isnan(back).sum() == 1
    assert np.nanmax(np.abs(back - depth)) <= 0.5 / 65534 + 1e-7
    assert back[0, 0] == 0.0 and back[1, 1] == 1.0
    stored = cv2.imread(path, cv2.IMREAD_UNCHANGED)  # any 16-bit reader sees the levels; 0 = unknown
    assert stored.dtype == np.uint16 and stored[2, 2] == 0 and stored[1, 1] == 65535
    assert 'ZoeDepth' in Image.open(path).text['cuts3d.depth']


def test_png_without_the_chunk_is_raw_depth(tmp_path):
    path = str(tmp_path / 'raw.png')
    cv2.imwrite(path, np.full((4, 4), 1000, dtype=np.uint16))
    assert read_depth_png(path) is None


def test_out_of_range_or_non_2d_depth_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r'\[0, 1\]'):
        write_depth_png(str(tmp_path / 'a.png'), np.full((2, 2), 1.5))
    with pytest.raises(ValueError, match='H x W'):
        write_depth_png(str(tmp_path / 'a.png'), np.zeros((2, 2, 3)))
    assert not (tmp_path / 'a.png').exists()
