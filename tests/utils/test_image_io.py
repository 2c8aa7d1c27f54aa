"""load_rgb: every image mode a large unlabelled collection holds, and the failures it must name."""
import warnings

import numpy as np
import pytest
from PIL import Image

from cuts3d.utils.image_io import (ImageLoadError, ImageTooSmallError, LargeImageWarning, fit_max_side,
                                   has_image_extension, load_rgb)


def _rgb(height=20, width=30):
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (height, width, 3), dtype=np.uint8)


def test_rgb_png_round_trips(tmp_path):
    image = _rgb()
    Image.fromarray(image).save(tmp_path / 'a.png')
    out = load_rgb(tmp_path / 'a.png')
    assert out.dtype == np.uint8 and out.shape == (20, 30, 3)
    np.testing.assert_array_equal(out, image)


def test_grayscale_is_replicated_into_three_channels(tmp_path):
    gray = _rgb()[:, :, 0]
    Image.fromarray(gray, mode='L').save(tmp_path / 'g.png')
    out = load_rgb(tmp_path / 'g.png')
    assert out.shape == (20, 30, 3)
    for channel in range(3):
        np.testing.assert_array_equal(out[:, :, channel], gray)


def test_rgba_drops_alpha_keeping_the_stored_colour(tmp_path):
    rgba = np.dstack([_rgb(), np.zeros((20, 30), np.uint8)])  # fully transparent
    Image.fromarray(rgba, mode='RGBA').save(tmp_path / 'a.png')
    np.testing.assert_array_equal(load_rgb(tmp_path / 'a.png'), rgba[:, :, :3])


def test_palette_image_is_expanded(tmp_path):
    image = Image.fromarray(_rgb()).convert('P', palette=Image.Palette.ADAPTIVE, colors=8)
    image.save(tmp_path / 'p.png')
    out = load_rgb(tmp_path / 'p.png')
    np.testing.assert_array_equal(out, np.asarray(image.convert('RGB')))


def test_16_bit_is_scaled_to_8_bit(tmp_path):
    values = np.array([[0, 257, 65535, 32896]], dtype=np.uint16).repeat(10, axis=0)
    Image.fromarray(values).save(tmp_path / 'd.png')
    out = load_rgb(tmp_path / 'd.png')
    np.testing.assert_array_equal(out[0, :, 0], [0, 1, 255, 128])
    assert out.shape == (10, 4, 3)


def test_cmyk_jpeg_is_converted(tmp_path):
    Image.fromarray(_rgb()).convert('CMYK').save(tmp_path / 'c.jpg', quality=95)
    out = load_rgb(tmp_path / 'c.jpg')
    assert out.shape == (20, 30, 3) and out.dtype == np.uint8


def test_exif_orientation_is_applied(tmp_path):
    image = np.zeros((20, 40, 3), np.uint8)
    image[:, :20] = 255  # left half white
    pil = Image.fromarray(image)
    exif = pil.getexif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    pil.save(tmp_path / 'r.jpg', exif=exif, quality=100)
    out = load_rgb(tmp_path / 'r.jpg')
    assert out.shape == (40, 20, 3)
    assert out[:20].mean() > 200 and out[20:].mean() < 50  # the white half is on top after rotation


def test_corrupt_file_raises_with_the_reason(tmp_path):
    (tmp_path / 'bad.jpg').write_bytes(b'this is not a jpeg')
    with pytest.raises(ImageLoadError, match='bad.jpg: cannot decode image'):
        load_rgb(tmp_path / 'bad.jpg')


def test_truncated_file_raises(tmp_path):
    Image.fromarray(_rgb(64, 64)).save(tmp_path / 'full.jpg')
    data = (tmp_path / 'full.jpg').read_bytes()
    (tmp_path / 'cut.jpg').write_bytes(data[:len(data) // 2])
    with pytest.raises(ImageLoadError, match='cut.jpg'):
        load_rgb(tmp_path / 'cut.jpg')


def test_missing_file_raises(tmp_path):
    with pytest.raises(ImageLoadError, match='no such file'):
        load_rgb(tmp_path / 'nope.png')


def test_image_smaller_than_a_patch_raises(tmp_path):
    Image.fromarray(_rgb(5, 30)).save(tmp_path / 'small.png')
    with pytest.raises(ImageTooSmallError, match='30 x 5, smaller than min_side=8'):
        load_rgb(tmp_path / 'small.png', min_side=8)
    assert load_rgb(tmp_path / 'small.png', min_side=5).shape == (5, 30, 3)


def test_huge_image_is_downscaled_with_a_warning(tmp_path):
    Image.fromarray(_rgb(50, 200)).save(tmp_path / 'wide.png')
    with pytest.warns(LargeImageWarning, match='200 x 50 is larger than max_side=100'):
        out = load_rgb(tmp_path / 'wide.png', max_side=100)
    assert out.shape == (25, 100, 3)


def test_fit_max_side_keeps_small_images_silently():
    image = _rgb()
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert fit_max_side(image, 30) is image
        assert fit_max_side(image, None) is image
    with pytest.raises(ValueError, match='max_side must be positive'):
        fit_max_side(image, 0)


def test_extensions_are_case_insensitive():
    assert has_image_extension('a/B.JPEG') and has_image_extension('x.WebP') and has_image_extension('y.tif')
    assert not has_image_extension('notes.txt') and not has_image_extension('depth.npy')


def test_arrays_are_writable(tmp_path):
    for mode, name in [('RGB', 'a.png'), ('L', 'b.png'), ('RGBA', 'c.png')]:
        Image.new(mode, (12, 10)).save(tmp_path / name)
        assert load_rgb(tmp_path / name).flags.writeable
    Image.new('RGB', (300, 10)).save(tmp_path / 'wide.png')
    with pytest.warns(LargeImageWarning):
        assert load_rgb(tmp_path / 'wide.png', max_side=100).flags.writeable


def _write_parity_images(folder):
    """A JPEG, a PNG, a 16-bit PNG whose values are not multiples of 257, an EXIF-rotated JPEG, and a palette PNG."""
    rng = np.random.default_rng(3)
    smooth = np.clip(rng.normal(128, 60, (48, 64, 3)), 0, 255).astype(np.uint8)
    Image.fromarray(smooth).save(folder / 'photo.jpg', quality=85)
    Image.fromarray(smooth).save(folder / 'plain.png')
    Image.fromarray(rng.integers(0, 65536, (24, 32), dtype=np.uint16)).save(folder / 'deep.png')
    rotated = Image.fromarray(smooth)
    exif = rotated.getexif()
    exif[0x0112] = 8  # rotate 90 degrees counter-clockwise to display
    rotated.save(folder / 'rotated.jpg', exif=exif, quality=90)
    Image.fromarray(smooth).convert('P', palette=Image.Palette.ADAPTIVE, colors=16).save(folder / 'palette.png')
    return ['photo.jpg', 'plain.png', 'deep.png', 'rotated.jpg', 'palette.png']


def test_extraction_sees_the_pixels_training_sees(tmp_path):
    """load_rgb and the training pipelines' first step, ``LoadImageFromFile`` as a config names it (mmcv's class,
    found through mmdet's registry), give the same array, in RGB and BGR order respectively."""
    from cuts3d.registry import TRANSFORMS

    training_loader = TRANSFORMS.build(dict(type='LoadImageFromFile'))
    for name in _write_parity_images(tmp_path):
        seen_by_training = training_loader(dict(img_path=str(tmp_path / name)))['img']
        np.testing.assert_array_equal(load_rgb(tmp_path / name), seen_by_training[:, :, ::-1], err_msg=name)
