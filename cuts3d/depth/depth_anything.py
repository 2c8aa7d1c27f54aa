"""Depth Anything V2 (Yang et al., NeurIPS 2024) from ``transformers``: relative inverse depth."""
from __future__ import annotations

from ..registry import DEPTH_SOURCES
from .normalize import DepthNormalizer
from .transformers_depth import TransformersDepth


@DEPTH_SOURCES.register_module()
class DepthAnythingV2(TransformersDepth):
    """Depth Anything V2 (``depth-anything/Depth-Anything-V2-{Small,Base,Large}-hf``; Small is Apache-2.0, Base and
    Large CC-BY-NC-4.0).

    Output: relative *inverse* depth (disparity-like, larger = nearer, >= 0). Converted by taking the reciprocal
    (0 = infinitely far -> 1), then the percentile normalisation: the depth order is kept exactly.

    Args:
        model: hub id or local directory.
        device, dtype, batch_size, normalizer: see :class:`~cuts3d.depth.model_depth.ModelDepth`.
    """

    model_class = 'AutoModelForDepthEstimation'
    inverse = True

    def __init__(self, model: str = 'depth-anything/Depth-Anything-V2-Small-hf', device: str = 'cpu',
                 dtype: str = 'auto', batch_size: int = 4, normalizer: DepthNormalizer | dict | None = None) -> None:
        super().__init__(model, device, dtype, batch_size, normalizer)
