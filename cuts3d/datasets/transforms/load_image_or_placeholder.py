"""Test-time image loading that survives an unreadable file: a placeholder image and a failure mark in the meta.

mmcv's ``LoadImageFromFile`` raises (or asserts) on a missing, empty, truncated or garbage file, and in a test loop
that kills the whole run. :class:`LoadImageFromFileOrPlaceholder` loads exactly as mmcv does; when the file cannot be
read or decoded it puts a tiny black placeholder image in its place (so batching and the model run unchanged) and
records the reason under :data:`LOAD_FAILURE_KEY`, which the packing transform carries into the data sample's meta
when it lists the key in its ``meta_keys``. ``cuts3d infer`` (:mod:`cuts3d.cli.infer`) puts it in place of
``LoadImageFromFile`` and :class:`cuts3d.evaluation.CocoResultsWriter` turns marked samples into failure records.
"""
from __future__ import annotations

import re

import cv2
import numpy as np
from mmcv.transforms import LoadImageFromFile

from cuts3d.registry import TRANSFORMS

# The results / meta key holding ``None`` for a loaded image and the one-line reason for one that failed.
LOAD_FAILURE_KEY = 'load_failure'
# Errors of reading or decoding one file: OSError (missing, unreadable, PIL cannot identify or finish it), cv2.error
# (cv2 on an empty buffer), AssertionError (mmcv's "failed to load image" when cv2 decodes nothing), ValueError.
LOAD_ERRORS = (OSError, ValueError, AssertionError, cv2.error)


def failure_reason(error: Exception) -> str:
    """One line saying why a file did not load, free of object addresses (the same file gives the same text)."""
    if isinstance(error, AssertionError):
        return 'not a decodable image (the decoder returned nothing)'
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    message = re.sub(r'\s*<[^<>]* at 0x[0-9a-fA-F]+>', '', lines[0] if lines else '')
    return f'{type(error).__name__}: {message}' if message else type(error).__name__


@TRANSFORMS.register_module()
class LoadImageFromFileOrPlaceholder(LoadImageFromFile):
    """mmcv's ``LoadImageFromFile`` that marks an unreadable image as failed instead of raising.

    Args:
        placeholder_size: side in pixels of the black square that stands in for an image that failed to load.
        **kwargs: ``LoadImageFromFile``'s arguments (``to_float32``, ``color_type``, ``imdecode_backend``,
            ``backend_args``); ``ignore_empty`` (drop the sample) is refused, as it is what this transform avoids.

    Added keys: ``load_failure`` (None, or the one-line reason the file did not load). For a failed file ``img``
    is the placeholder and ``img_shape`` / ``ori_shape`` its size.
    """

    def __init__(self, placeholder_size: int = 32, **kwargs) -> None:
        if kwargs.get('ignore_empty'):
            raise ValueError('LoadImageFromFileOrPlaceholder marks unreadable images as failed; ignore_empty=True '
                             'would drop them silently')
        if placeholder_size < 1:
            raise ValueError(f'placeholder_size must be >= 1; got {placeholder_size}')
        super().__init__(**kwargs)
        self.placeholder_size = int(placeholder_size)

    def transform(self, results: dict) -> dict:
        try:
            loaded = super().transform(results)
        except LOAD_ERRORS as error:
            return self._placeholder(results, failure_reason(error))
        loaded[LOAD_FAILURE_KEY] = None
        return loaded

    def _placeholder(self, results: dict, reason: str) -> dict:
        """``results`` with a black placeholder image (the decoded image's channels and dtype) and the reason."""
        shape = (self.placeholder_size, self.placeholder_size)
        if self.color_type not in ('grayscale', 'unchanged'):
            shape += (3,)
        results['img'] = np.zeros(shape, np.float32 if self.to_float32 else np.uint8)
        results['img_shape'] = results['ori_shape'] = shape[:2]
        results[LOAD_FAILURE_KEY] = reason
        return results

    def __repr__(self) -> str:
        return f'{super().__repr__()[:-1]}, placeholder_size={self.placeholder_size})'
