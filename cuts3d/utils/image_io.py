"""Read any image file the extraction may meet as RGB uint8 ``H x W x 3``, or fail with the reason.

Large unlabelled collections (ImageNet, web crawls) hold grayscale, palette, CMYK, 16-bit and EXIF-rotated files,
a few corrupt ones, and some that are tiny or huge. :func:`load_rgb` reads them exactly as the training pipeline's
``LoadImageFromFile`` does (mmdet's default: :func:`mmengine.fileio.get`, then :func:`mmcv.imfrombytes` with the
``cv2`` backend and ``flag='color'``), in RGB order, so pseudo-masks and training images line up pixel for pixel;
it raises :class:`ImageLoadError` (with the reason) for files that decoder refuses, which training could not read
either, so the extraction runner can record the failure and go on.

What that decoder does (OpenCV's ``IMREAD_COLOR``):

* EXIF orientation is applied; ``width``/``height`` are those after rotation.
* Alpha (RGBA, LA, palette transparency) is dropped, keeping the colour stored under transparent pixels.
* Grayscale and 1-bit images are replicated into three channels; palette images are expanded; CMYK is converted.
* 16-bit images keep their high byte (``v >> 8``); floating-point TIFFs are refused.
* Truncated and corrupt files are refused.
"""
from __future__ import annotations

import os
import warnings

import numpy as np
from PIL import Image

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')


class ImageLoadError(ValueError):
    """An image file that cannot be turned into an RGB image; the message says which file and why."""


class ImageTooSmallError(ImageLoadError):
    """An image smaller than ``min_side`` pixels on a side (e.g. smaller than one ViT patch)."""


class LargeImageWarning(UserWarning):
    """An image larger than ``max_side`` was downscaled before extraction."""


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
    """Read ``path`` as RGB uint8 ``H x W x 3``, as the training pipeline reads it (see the module docstring).

    Raises :class:`ImageLoadError` when the file is missing or not decodable, :class:`ImageTooSmallError` when a
    side is shorter than ``min_side``. Images longer than ``max_side`` are downscaled by :func:`fit_max_side` with
    a :class:`LargeImageWarning`.
    """
    import cv2  # the decoder mmcv uses; its error type
    import mmcv  # loads torch: only when an image is read
    from mmengine import fileio

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise ImageLoadError(f'{path}: no such file')
    try:
        rgb = mmcv.imfrombytes(fileio.get(path), flag='color', channel_order='rgb', backend='cv2')
    except cv2.error as error:  # OpenCV read nothing, and mmcv's BGR -> RGB conversion of nothing fails
        raise ImageLoadError(f'{path}: cannot decode image (corrupt, truncated, or a format OpenCV cannot read)') \
            from error
    height, width = rgb.shape[:2]
    if min(height, width) < min_side:
        raise ImageTooSmallError(f'{path}: image is {width} x {height}, smaller than min_side={min_side} pixels')
    return fit_max_side(rgb, max_side, name=path)


def has_image_extension(path: str) -> bool:
    """Whether ``path`` ends in one of :data:`IMAGE_EXTENSIONS` (case-insensitive)."""
    return os.path.splitext(path)[1].lower() in IMAGE_EXTENSIONS
