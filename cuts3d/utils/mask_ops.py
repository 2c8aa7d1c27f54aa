"""Small mask and map operations shared by the pseudo-mask generator, the writer and the evaluation."""
from __future__ import annotations

import cv2
import numpy as np
from PIL import Image
from scipy import ndimage


def mask_iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two bool masks of the same shape; 0.0 when both are empty.

    MaskCut's reference (TokenCut's ``metric.IoU``) gives NaN for two empty masks, which compares False with any
    threshold: 0.0 behaves the same in every ``> max_iou`` test.
    """
    union = np.logical_or(a, b).sum()
    if union == 0:
        return 0.0
    return float(np.logical_and(a, b).sum() / union)


def resize_rgb(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """RGB uint8 image to ``size = (H, W)`` with PIL LANCZOS, aspect not kept (CutLER's MaskCut resize)."""
    height, width = size
    if image.shape[:2] == (height, width):
        return image
    return np.array(Image.fromarray(image).resize((width, height), Image.Resampling.LANCZOS))


def upsample_nearest(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Bool mask to ``size = (H, W)`` by nearest neighbour (a patch mask becomes blocks of pixels).

    Pixel ``y`` takes the value of cell ``floor(y * h / H)``, as ``F.interpolate(mode='nearest')`` in MaskCut.
    """
    return upsample_nearest_values(np.asarray(mask, dtype=bool), size)


def resize_mask_smooth(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Bool mask to ``size = (H, W)`` the way CutLER writes its pseudo-masks: PIL bicubic on 0/255, then > 127.5.

    Smoother than nearest neighbour when the mask (refined at the 480 x 480 feature input) is stretched back to the
    original aspect ratio.
    """
    height, width = size
    if mask.shape == (height, width):
        return np.asarray(mask, dtype=bool)
    image = Image.fromarray(np.asarray(mask, dtype=np.uint8) * 255)
    return np.asarray(image.resize((width, height), Image.Resampling.BICUBIC)) > 127.5


def resize_map_bilinear(values: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Float map (e.g. a Spatial Confidence map on the patch grid) to ``size = (H, W)``, bilinear, float32.

    Half-pixel centres, as ``F.interpolate(mode='bilinear', align_corners=False)``.
    """
    height, width = size
    return cv2.resize(np.asarray(values, dtype=np.float32), (width, height), interpolation=cv2.INTER_LINEAR)


def confidence_to_image(confidence: np.ndarray, instance: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Spread a grid confidence map of ``instance`` over the refined pixel ``mask``: float32, 0 outside ``mask``.

    Bilinear interpolation of the instance's own cells only (normalised convolution:
    ``bilinear(SC * inst) / bilinear(inst)``), so the zeros outside the instance do not dilute the values at its
    border: a constant map stays constant (CutLER's masks keep confidence 1 everywhere) and an estimator's floor
    inside the instance (Spatial Confidence's 0.5) still holds after upsampling. Mask pixels that the refiner
    added beyond the reach of any instance cell take the value of the nearest instance cell.
    """
    instance = np.asarray(instance, dtype=bool)
    mask = np.asarray(mask, dtype=bool)
    weights = instance.astype(np.float32)
    numerator = resize_map_bilinear(np.asarray(confidence, dtype=np.float32) * weights, mask.shape)
    denominator = resize_map_bilinear(weights, mask.shape)
    reached = denominator > 1e-6
    out = np.zeros(mask.shape, dtype=np.float32)
    out[reached] = numerator[reached] / denominator[reached]
    missing = mask & ~reached
    if missing.any() and instance.any():
        nearest = ndimage.distance_transform_edt(~instance, return_distances=False, return_indices=True)
        extended = np.asarray(confidence, dtype=np.float32)[tuple(nearest)]
        out[missing] = upsample_nearest_values(extended, mask.shape)[missing]
    out[~mask] = 0.0
    return np.clip(out, 0.0, 1.0)


def upsample_nearest_values(values: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Any ``h x w`` array to ``size = (H, W)`` by nearest neighbour (same cell rule as :func:`upsample_nearest`)."""
    height, width = size
    rows = (np.arange(height) * values.shape[0]) // height
    cols = (np.arange(width) * values.shape[1]) // width
    return values[rows[:, None], cols[None, :]]
