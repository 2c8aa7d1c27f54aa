"""One image's part-file record and failure reason, as the serial and the pipelined extraction write them.

Both runners (:mod:`cuts3d.pseudo.runner`, :mod:`cuts3d.pseudo.pipeline`) build records and reasons here, so their
part files, and the merged json and failures file, are the same byte for byte.
"""
from __future__ import annotations

from collections.abc import Sequence

from ..structures import Instance
from ..utils.image_io import ImageLoadError
from ..utils.mask_ops import confidence_to_image, resize_mask_smooth
from .coco_writer import annotation_from_instance
from .image_list import ImageItem


def resize_instance(instance: Instance, size: tuple[int, int]) -> Instance:
    """An instance found on a downscaled image, brought to the original ``size = (H, W)``."""
    mask = resize_mask_smooth(instance.mask, size)
    confidence = confidence_to_image(instance.confidence, instance.mask, mask)
    score = float(confidence[mask].mean()) if mask.any() else 0.0
    return Instance(mask=mask, confidence=confidence, score=score, provenance=instance.provenance)


def image_record(item: ImageItem, size: tuple[int, int], work_size: tuple[int, int],
                 instances: Sequence[Instance], sc_levels: int) -> dict:
    """The part-file record of an image of ``size = (H, W)`` whose ``instances`` were found at ``work_size``
    (smaller when the image was downscaled to ``max_side``); empty masks are left out."""
    if tuple(work_size) != tuple(size):
        instances = [resize_instance(instance, size) for instance in instances]
    annotations = [annotation_from_instance(instance, sc_levels) for instance in instances if instance.mask.any()]
    return {'index': item.index, 'file_name': item.rel_path, 'width': int(size[1]), 'height': int(size[0]),
            'annotations': annotations}


def failure_reason(error: BaseException) -> str:
    """The reason recorded for an image that failed with ``error``: an unreadable file's own message, else the
    error's type and message."""
    return str(error) if isinstance(error, ImageLoadError) else f'{type(error).__name__}: {error}'
