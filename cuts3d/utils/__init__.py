"""Helpers shared across cuts3d: robust image loading, mask resizing, stage timing, atomic files, and the
synthetic RGB-D scenes of the demo and the tests (:mod:`.synthetic_images`, imported from its module)."""
from .image_io import (IMAGE_EXTENSIONS, ImageLoadError, ImageTooSmallError, LargeImageWarning, fit_max_side,
                       has_image_extension, load_rgb)
from .mask_ops import (confidence_to_image, mask_iou, resize_map_bilinear, resize_mask_smooth, resize_rgb,
                       upsample_nearest, upsample_nearest_values)
from .timing import StageTimer

__all__ = [
    'IMAGE_EXTENSIONS', 'ImageLoadError', 'ImageTooSmallError', 'LargeImageWarning', 'StageTimer',
    'confidence_to_image', 'fit_max_side', 'has_image_extension', 'load_rgb', 'mask_iou', 'resize_map_bilinear',
    'resize_mask_smooth', 'resize_rgb', 'upsample_nearest', 'upsample_nearest_values'
]
