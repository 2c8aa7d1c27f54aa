"""Read any image file the extraction may meet as RGB uint8 ``H x W x 3``, or fail with the reason.

Large unlabelled collections (ImageNet, web crawls) hold grayscale, palette, CMYK, 16-bit and EXIF-rotated files,
a few corrupt ones, and some that are tiny or huge. :func:`load_rgb` turns every readable one into the project's
image contract with the same pixels the training loader will see, and raises :class:`ImageLoadError` (with the
reason) for the rest, so the extraction runner can record the failure and go on.

Conversions, chosen to match what mmdet's ``LoadImageFromFile`` (``cv2.IMREAD_COLOR``) sees at training time, so
pseudo-masks and training images line up:

* EXIF orientation is applied (``cv2.IMREAD_COLOR`` applies it too); ``width``/``height`` are those after rotation.
* Alpha (RGBA, LA, palette transparency) is **dropped**, keeping the colour stored under transparent pixels, as
  ``cv2.IMREAD_COLOR`` and CutLER's ``Image.convert('RGB')`` do; compositing on black would change the pixels
  the detector is trained on.
* Grayscale and 1-bit images are replicated into three channels; palette images are expanded.
* 16-bit and 32-bit integer images are scaled to 8 bit by ``round(v * 255 / 65535)`` (clipped); float images are
  clipped to ``[0, 255]``.
* CMYK (and other colour spaces) go through Pillow's conversion to RGB.
"""
from __future__ import annotations

import os
import warnings

import numpy as np
from PIL import Image, ImageOps

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')


class ImageLoadError(ValueError):
    """An image file that cannot be turned into an RGB image; the message says which file and why."""


class ImageTooSmallError(ImageLoadError):
    """An image smaller than ``min_side`` pixels on a side (e.g. smaller than one ViT patch)."""


class LargeImageWarning(UserWarning):
    """An image larger than ``max_side`` was downscaled before extraction."""


def _to_rgb_array(img: Image.Image) -> np.ndarray:
    """Pillow image of any mode -> writable RGB uint8 array, following the module's conversion rules.

    Writable (``np.array``, not ``np.asarray``, which views Pillow's buffer read-only): C extensions such as
    pydensecrf refuse read-only buffers.
    """
    mode = img.mode
    if mode == 'RGB':
        return np.array(img, dtype=np.uint8)
    if mode.startswith('I;16') or mode == 'I':
        values = np.asarray(img).astype(np.float64)
        gray = np.clip(np.rint(values * (255.0 / 65535.0)), 0, 255).astype(np.uint8)
        return np.repeat(gray[:, :, None], 3, axis=2)
    if mode == 'F':
        gray = np.clip(np.rint(np.asarray(img, dtype=np.float64)), 0, 255).astype(np.uint8)
        return np.repeat(gray[:, :, None], 3, axis=2)
    if mode in ('RGBA', 'RGBa', 'RGBX'):
        return np.ascontiguousarray(np.asarray(img, dtype=np.uint8)[:, :, :3])
    # 'L', 'LA', '1', 'P', 'PA', 'CMYK', 'YCbCr', 'LAB', 'HSV': Pillow's own conversion (alpha dropped).
    return np.array(img.convert('RGB'), dtype=np.uint8)


def fit_max_side(image: np.ndarray, max_side: int | None, name: str = 'image') -> np.ndarray:
    """Downscale ``image`` (area interpolation, aspect kept) so its longer side is ``max_side``; warn when it does.

    ``max_side=None`` keeps every size. Extraction of a 10000-pixel scan would otherwise spend its memory on
    resizing and depth at full resolution, while the features see a 480-pixel square anyway.
    """
    if max_side is None:
        return image
    if max_side < 1:
        raise ValueError(f'max_side must be positive, got {max_side}')
    height, width = image.shape[:2]
    longer = max(height, width)
    if longer <= max_side:
        return image
    scale = max_side / longer
    new_size = (max(1, round(width * scale)), max(1, round(height * scale)))
    warnings.warn(f'{name}: {width} x {height} is larger than max_side={max_side}; '
                  f'downscaled to {new_size[0]} x {new_size[1]}', LargeImageWarning, stacklevel=2)
    return np.array(Image.fromarray(image).resize(new_size, Image.Resampling.BOX))


def load_rgb(path: str | os.PathLike, min_side: int = 1, max_side: int | None = None) -> np.ndarray:
    """Read ``path`` as RGB uint8 ``H x W x 3`` (see the module docstring for the conversions).

    Raises :class:`ImageLoadError` when the file is missing or not a decodable image (the message holds Pillow's
    reason), :class:`ImageTooSmallError` when a side is shorter than ``min_side``. Images longer than
    ``max_side`` are downscaled by :func:`fit_max_side` with a :class:`LargeImageWarning`.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise ImageLoadError(f'{path}: no such file')
    try:
        with Image.open(path) as img:
            img.load()
            img = ImageOps.exif_transpose(img)
            rgb = _to_rgb_array(img)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        # OSError covers UnidentifiedImageError and truncated files; SyntaxError is raised by some
        # Pillow plugins on malformed headers.
        raise ImageLoadError(f'{path}: cannot decode image ({type(error).__name__}: {error})') from error
    height, width = rgb.shape[:2]
    if min(height, width) < min_side:
        raise ImageTooSmallError(f'{path}: image is {width} x {height}, smaller than min_side={min_side} pixels')
    return fit_max_side(rgb, max_side, name=path)


def has_image_extension(path: str) -> bool:
    """Whether ``path`` ends in one of :data:`IMAGE_EXTENSIONS` (case-insensitive)."""
    return os.path.splitext(path)[1].lower() in IMAGE_EXTENSIONS
