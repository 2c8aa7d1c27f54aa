"""LoadImageFromFileOrPlaceholder: mmcv's loading for readable images, a placeholder and a reason for the rest."""
import numpy as np
import pytest
from mmcv.transforms import LoadImageFromFile
from PIL import Image

from cuts3d.datasets.transforms import LOAD_FAILURE_KEY, LoadImageFromFileOrPlaceholder
from cuts3d.registry import TRANSFORMS


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (20, 30, 3), dtype=np.uint8)).save(tmp_path / 'good.png')
    data = (tmp_path / 'good.png').read_bytes()
    (tmp_path / 'truncated.png').write_bytes(data[:len(data) // 2])
    (tmp_path / 'garbage.png').write_bytes(rng.integers(0, 255, 64, dtype=np.uint8).tobytes())
    (tmp_path / 'empty.jpg').write_bytes(b'')
    return tmp_path


@pytest.mark.parametrize('backend', ['cv2', 'pillow'])
def test_a_readable_image_loads_as_mmcv_loads_it(files, backend):
    path = str(files / 'good.png')
    ours = TRANSFORMS.build(dict(type='LoadImageFromFileOrPlaceholder', imdecode_backend=backend))({'img_path': path})
    theirs = LoadImageFromFile(imdecode_backend=backend)({'img_path': path})
    assert ours[LOAD_FAILURE_KEY] is None
    np.testing.assert_array_equal(ours['img'], theirs['img'])
    assert ours['ori_shape'] == ours['img_shape'] == (20, 30)


@pytest.mark.parametrize('backend', ['cv2', 'pillow'])
@pytest.mark.parametrize('name', ['truncated.png', 'garbage.png', 'empty.jpg', 'missing.png'])
def test_an_unreadable_file_gives_a_placeholder_and_a_one_line_reason(files, name, backend):
    path = str(files / name)
    with pytest.raises(Exception):
        LoadImageFromFile(imdecode_backend=backend)({'img_path': path})
    load = LoadImageFromFileOrPlaceholder(imdecode_backend=backend, placeholder_size=4)
    results = load({'img_path': path})
    assert results['img'].shape == (4, 4, 3) and results['img'].dtype == np.uint8 and not results['img'].any()
    assert results['ori_shape'] == results['img_shape'] == (4, 4)
    reason = results[LOAD_FAILURE_KEY]
    assert reason and '\n' not in reason and '0x' not in reason
    assert load({'img_path': path})[LOAD_FAILURE_KEY] == reason  # the same file gives the same text


def test_placeholder_follows_color_type_and_dtype_and_ignore_empty_is_refused(files):
    results = LoadImageFromFileOrPlaceholder(color_type='grayscale', to_float32=True)({'img_path': str(files / 'x')})
    assert results['img'].shape == (32, 32) and results['img'].dtype == np.float32
    assert 'No such file' in results[LOAD_FAILURE_KEY]
    with pytest.raises(ValueError, match='ignore_empty'):
        LoadImageFromFileOrPlaceholder(ignore_empty=True)
    with pytest.raises(ValueError, match='placeholder_size'):
        LoadImageFromFileOrPlaceholder(placeholder_size=0)
