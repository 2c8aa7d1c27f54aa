import os

import cv2
import numpy as np
import pytest

from cuts3d.depth import (AmbiguousCompanionError, DepthFileError, DepthShapeError, FileDepth, normalize_depth,
                          write_depth_png)
from cuts3d.registry import DEPTH_SOURCES, build_component

IMAGE = np.zeros((6, 8, 3), dtype=np.uint8)
META = {'img_path': '/data/images/n01/a.JPEG', 'rel_path': 'n01/a.JPEG'}


def _ramp(height=6, width=8):
    return np.add.outer(np.arange(height), np.arange(width)).astype(np.float64) + 1.0


def _write(path, array):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if path.endswith('.npy'):
        np.save(path, array)
    else:
        assert cv2.imwrite(path, array)


def test_npy_round_trip_in_a_mirrored_tree(tmp_path):
    raw = _ramp()
    raw[2, 3] = np.nan
    _write(str(tmp_path / 'n01' / 'a.npy'), raw)
    out = FileDepth(str(tmp_path))(IMAGE, META)
    assert out.dtype == np.float32 and out.shape == (6, 8)
    np.testing.assert_array_equal(out, normalize_depth(raw))
    assert np.isnan(out[2, 3])


def test_stem_fallback_and_suffix_order(tmp_path):
    raw = _ramp()
    _write(str(tmp_path / 'a.npy'), raw)
    _write(str(tmp_path / 'a.png'), np.full((6, 8), 5, dtype=np.uint16))  # constant: would give 0.5
    out = FileDepth(str(tmp_path))(IMAGE, META)
    np.testing.assert_array_equal(out, normalize_depth(raw))


def test_sixteen_bit_png_round_trip_zero_is_unknown(tmp_path):
    raw = (_ramp() * 1000).astype(np.uint16)
    raw[0, 0] = 0
    _write(str(tmp_path / 'n01' / 'a.png'), raw)
    out = FileDepth(str(tmp_path), suffixes=('.png',))(IMAGE, META)
    expected = normalize_depth(np.where(raw == 0, np.nan, raw.astype(np.float64)))
    np.testing.assert_array_equal(out, expected)
    assert np.isnan(out[0, 0]) and np.isfinite(out).sum() == raw.size - 1


def test_inverse_flag_for_disparity_files(tmp_path):
    disparity = (100.0 / _ramp()).astype(np.float32)  # near = large disparity
    _write(str(tmp_path / 'n01' / 'a.npy'), disparity)
    _write(str(tmp_path / 'png' / 'n01' / 'a.png'), np.round(disparity * 256).astype(np.uint16))
    from_npy = FileDepth(str(tmp_path), inverse=True)(IMAGE, META)
    from_png = FileDepth(str(tmp_path / 'png'), suffixes=('.png',), inverse=True)(IMAGE, META)
    np.testing.assert_allclose(from_npy, normalize_depth(_ramp()), atol=1e-5)  # 1 / disparity is the ramp
    np.testing.assert_allclose(from_png, from_npy, atol=5e-3)  # 16-bit quantisation of disparity * 256
    assert from_npy[0, 0] < from_npy[-1, -1]  # larger disparity -> nearer -> smaller depth


def test_wrong_size_is_resized_and_wrong_aspect_refused(tmp_path):
    _write(str(tmp_path / 'n01' / 'a.npy'), _ramp(3, 4))
    out = FileDepth(str(tmp_path))(IMAGE, META)
    assert out.shape == (6, 8) and np.isfinite(out).all()
    _write(str(tmp_path / 'n01' / 'a.npy'), _ramp(6, 6))
    with pytest.raises(DepthShapeError, match='aspect'):
        FileDepth(str(tmp_path))(IMAGE, META)


def test_missing_file_names_every_path_tried(tmp_path):
    with pytest.raises(FileNotFoundError) as err:
        FileDepth(str(tmp_path))(IMAGE, META)
    for path in ('n01/a.npy', 'n01/a.png', 'a.npy', 'a.png'):
        assert os.path.join(str(tmp_path), path) in str(err.value)


def test_bad_files_and_settings_are_refused(tmp_path):
    _write(str(tmp_path / 'a.png'), np.zeros((6, 8, 3), dtype=np.uint8))
    with pytest.raises(ValueError, match='one channel'):
        FileDepth(str(tmp_path), suffixes=('.png',))(IMAGE, META)
    np.save(str(tmp_path / 'a.npy'), np.array([{'not': 'numbers'}], dtype=object))
    with pytest.raises(ValueError):
        FileDepth(str(tmp_path))(IMAGE, META)
    with pytest.raises(ValueError, match='suffixes'):
        FileDepth(str(tmp_path), suffixes=('.exr',))
    with pytest.raises(FileNotFoundError, match='not a directory'):
        FileDepth(str(tmp_path / 'nowhere'))
    with pytest.raises(KeyError, match='rel_path'):
        FileDepth(str(tmp_path))(IMAGE, {})


def test_built_from_a_config(tmp_path):
    _write(str(tmp_path / 'a.npy'), _ramp())
    source = build_component(dict(type='FileDepth', root=str(tmp_path), normalizer=dict(low_pct=0, high_pct=100)),
                             DEPTH_SOURCES)
    out = source(IMAGE, {'img_path': '/x/a.jpg'})  # no rel_path: the image file name is used
    assert np.nanmin(out) == 0.0 and np.nanmax(out) == 1.0


def test_png_written_by_predict_depth_is_read_back_exactly(tmp_path):
    """tools/predict_depth.py's PNGs hold contract depth plus their scale: no second normalisation, any inverse."""
    rng = np.random.default_rng(3)
    depth = rng.random((6, 8)).astype(np.float32)
    depth[1, 2] = np.nan
    write_depth_png(str(tmp_path / 'n01' / 'a.png'), depth)
    for inverse in (False, True):
        out = FileDepth(str(tmp_path), inverse=inverse)(IMAGE, META)
        assert np.isnan(out[1, 2])
        np.testing.assert_allclose(out, depth, atol=0.5 / 65534 + 1e-7)


def test_two_images_with_one_stem_never_share_a_stem_keyed_depth_map(tmp_path):
    _write(str(tmp_path / 'x.npy'), _ramp())
    shared = {'rel_path': 'sub/a/x.png', 'unique_stem': False}
    with pytest.raises(AmbiguousCompanionError, match=r"x.npy matches its file name, but other images"):
        FileDepth(str(tmp_path))(IMAGE, shared)
    assert FileDepth(str(tmp_path))(IMAGE, {**shared, 'unique_stem': True}).shape == (6, 8)
    _write(str(tmp_path / 'sub' / 'a' / 'x.npy'), _ramp())  # the mirrored tree is unambiguous
    assert FileDepth(str(tmp_path))(IMAGE, shared).shape == (6, 8)
    with pytest.raises(AmbiguousCompanionError, match='differs from it only in its suffix'):
        FileDepth(str(tmp_path))(IMAGE, {**shared, 'unique_rel_stem': False})


@pytest.mark.parametrize('content', [b'', b'\x93NUMPY garbage', b'not numpy at all'])
def test_unreadable_depth_files_name_their_path(tmp_path, content):
    path = tmp_path / 'n01' / 'a.npy'
    path.parent.mkdir()
    path.write_bytes(content)
    with pytest.raises(DepthFileError, match=f'^{path}: not a readable .npy depth array'):
        FileDepth(str(tmp_path))(IMAGE, META)


def test_depth_errors_after_reading_name_the_file(tmp_path):
    _write(str(tmp_path / 'n01' / 'a.npy'), _ramp(6, 6))
    with pytest.raises(DepthShapeError, match=f'^{tmp_path}/n01/a.npy: .*aspect'):
        FileDepth(str(tmp_path))(IMAGE, META)
    np.save(tmp_path / 'n01' / 'a.npy', np.zeros((6, 8), complex))
    with pytest.raises(DepthFileError, match=f'^{tmp_path}/n01/a.npy: depth array must be real-valued'):
        FileDepth(str(tmp_path))(IMAGE, META)
