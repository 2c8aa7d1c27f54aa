"""Registered components that fail on purpose on images carrying a magenta top-left pixel, for the pipeline tests.

They live in a module of their own so that the pipeline's worker processes can import them (as a plugin named by
``custom_imports`` would be).
"""
from __future__ import annotations

import os
import signal

import numpy as np

from cuts3d.cutting import ConnectedComponent2D
from cuts3d.features import PatchColorFeatures
from cuts3d.registry import FEATURE_EXTRACTORS, PARTITIONERS

MARK = (255, 0, 255)


def marked(image: np.ndarray) -> bool:
    """Whether the image's top-left pixel is the magenta mark."""
    return tuple(int(v) for v in image[0, 0]) == MARK


@PARTITIONERS.register_module(force=True)
class FaultOnMarkedImage(ConnectedComponent2D):
    """MaskCut's 2D component, except on a marked image: ``'raise'`` a ValueError, or ``'kill'`` this process."""

    def __init__(self, fault: str = 'raise', **kwargs) -> None:
        super().__init__(**kwargs)
        self.fault = fault

    def __call__(self, cut, context):
        if marked(context.image):
            if self.fault == 'kill':
                os.kill(os.getpid(), signal.SIGKILL)
            raise ValueError('the marked image')
        return super().__call__(cut, context)


@FEATURE_EXTRACTORS.register_module(force=True)
class FeaturesFailingOnMarkedImage(PatchColorFeatures):
    """Patch colours, but a RuntimeError for a marked image (so a batch holding it fails as a whole)."""

    def extract(self, resized: np.ndarray) -> np.ndarray:
        if marked(resized):
            raise RuntimeError('no features for the marked image')
        return super().extract(resized)
