"""Drawing primitives shared by the picture modules: colormaps, resizing, blending, contours, colours, PNG files.

Every picture in :mod:`cuts3d.visualization` is a uint8 RGB ``H x W x 3`` array built from plain numpy inputs.
Colormaps come from matplotlib's registry (no pyplot, no display); drawing is done with OpenCV.
"""
from __future__ import annotations

import colorsys
from functools import lru_cache
from pathlib import Path

import cv2
import matplotlib
import numpy as np

NAN_COLOR = (128, 128, 128)


def check_image(image: np.ndarray) -> np.ndarray:
    """Validate an RGB uint8 ``H x W x 3`` image (a grey ``H x W`` one is expanded); returns a contiguous copy."""
    image = np.asarray(image)
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f'expected an RGB image H x W x 3, got shape {image.shape}')
    if image.dtype != np.uint8:
        raise ValueError(f'expected a uint8 image, got dtype {image.dtype}')
    return np.ascontiguousarray(image).copy()


def check_map(values: np.ndarray, name: str) -> np.ndarray:
    """Validate a 2-D map (depth, eigenvector, confidence, mask, ...) and return it as a numpy array."""
    values = np.asarray(values)
    if values.ndim != 2 or min(values.shape) == 0:
        raise ValueError(f'{name} must be a non-empty 2-D array, got shape {values.shape}')
    return values


@lru_cache(maxsize=None)
def colormap_lut(name: str) -> np.ndarray:
    """256 x 3 uint8 lookup table of a matplotlib colormap (raises ValueError for an unknown name)."""
    try:
        cmap = matplotlib.colormaps[name]
    except KeyError as error:
        raise ValueError(f'unknown matplotlib colormap {name!r}') from error
    return np.rint(cmap(np.linspace(0.0, 1.0, 256))[:, :3] * 255).astype(np.uint8)


def apply_colormap(values: np.ndarray, cmap: str, vmin: float, vmax: float,
                   nan_color: tuple[int, int, int] = NAN_COLOR) -> np.ndarray:
    """Map a 2-D float array to RGB uint8 with ``cmap`` over ``[vmin, vmax]`` (clipped); NaN gets ``nan_color``."""
    values = np.asarray(values, dtype=np.float64)
    span = vmax - vmin if vmax > vmin else 1.0
    index = np.rint(np.clip((np.nan_to_num(values, nan=vmin) - vmin) / span, 0.0, 1.0) * 255).astype(np.intp)
    rgb = colormap_lut(cmap)[index]
    rgb[np.isnan(values)] = nan_color
    return rgb


def resize_nearest(values: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize a 2-D or 3-D array to ``size = (H, W)`` with nearest-neighbour sampling (keeps patch borders sharp).

    Pixel ``(y, x)`` takes cell ``(floor(y * h / H), floor(x * w / W))``, the same binning as patch pooling.
    """
    height, width = size
    rows = (np.arange(height) * values.shape[0]) // height
    cols = (np.arange(width) * values.shape[1]) // width
    return values[rows[:, None], cols[None, :]]


def blend(image: np.ndarray, overlay: np.ndarray, alpha: float, where: np.ndarray | None = None) -> np.ndarray:
    """``(1 - alpha) * image + alpha * overlay``, only where ``where`` is True (everywhere when None)."""
    mixed = np.rint((1.0 - alpha) * image.astype(np.float32) + alpha * overlay.astype(np.float32)).astype(np.uint8)
    if where is None:
        return mixed
    out = image.copy()
    out[where] = mixed[where]
    return out


def draw_contours(image: np.ndarray, mask: np.ndarray, color: tuple[int, int, int], thickness: int = 2
                  ) -> np.ndarray:
    """Draw the outer and inner borders of a bool mask onto ``image`` (in place; also returned)."""
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    cv2.drawContours(image, contours, -1, tuple(int(c) for c in color), thickness, lineType=cv2.LINE_AA)
    return image


def draw_marker(image: np.ndarray, center: tuple[float, float], color: tuple[int, int, int], kind: str,
                size: int) -> np.ndarray:
    """A ``'cross'`` or ``'circle'`` marker at ``center = (row, col)`` with a dark outline (in place)."""
    point = (int(round(center[1])), int(round(center[0])))
    for shade, width in (((0, 0, 0), 4), (color, 2)):
        if kind == 'circle':
            cv2.circle(image, point, size, shade, width, lineType=cv2.LINE_AA)
        else:
            cv2.drawMarker(image, point, shade, cv2.MARKER_TILTED_CROSS, 2 * size, width, line_type=cv2.LINE_AA)
    return image


def patch_center(index: int, grid: tuple[int, int], size: tuple[int, int]) -> tuple[float, float]:
    """Pixel centre ``(row, col)`` of flat patch ``index`` of an ``h x w`` grid drawn at ``size = (H, W)``."""
    row, col = divmod(int(index), grid[1])
    return (row + 0.5) * size[0] / grid[0], (col + 0.5) * size[1] / grid[1]


def put_label(image: np.ndarray, text: str, origin: tuple[int, int], color: tuple[int, int, int],
              scale: float = 0.4) -> np.ndarray:
    """Small text with a filled dark box behind it, top-left at ``origin = (x, y)`` (in place)."""
    (width, height), baseline = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
    x = int(np.clip(origin[0], 0, max(image.shape[1] - width - 2, 0)))
    y = int(np.clip(origin[1], 0, max(image.shape[0] - height - baseline - 2, 0)))
    cv2.rectangle(image, (x, y), (x + width + 2, y + height + baseline + 2), (0, 0, 0), -1)
    cv2.putText(image, text, (x + 1, y + height + 1), cv2.FONT_HERSHEY_SIMPLEX, scale, tuple(int(c) for c in color),
                1, cv2.LINE_AA)
    return image


def distinct_colors(count: int) -> np.ndarray:
    """``count`` well-separated saturated colours, uint8 ``count x 3`` (golden-ratio hue steps, fixed order)."""
    hues = (np.arange(count) * 0.618033988749895) % 1.0
    return np.array([[round(255 * c) for c in colorsys.hsv_to_rgb(h, 0.85, 0.95)] for h in hues],
                    dtype=np.uint8).reshape(count, 3)


def save_png(path: str | Path, image: np.ndarray) -> Path:
    """Write an RGB uint8 image as PNG (parent folders created); raises OSError when OpenCV cannot write it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(path), cv2.cvtColor(check_image(image), cv2.COLOR_RGB2BGR)):
        raise OSError(f'could not write {path}')
    return path
