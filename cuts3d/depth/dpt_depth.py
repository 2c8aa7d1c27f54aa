"""MiDaS v3 DPT (Ranftl et al., ICCV 2021) from ``transformers``: relative inverse depth."""
from __future__ import annotations

from ..registry import DEPTH_SOURCES
from .normalize import DepthNormalizer
from .transformers_depth import TransformersDepth


@DEPTH_SOURCES.register_module()
class DPTDepth(TransformersDepth):
    """MiDaS DPT-Hybrid / DPT-Large (``Intel/dpt-hybrid-midas``, ``Intel/dpt-large``: the MiDaS v3.0 release's
    weights in ``transformers``' layout).

    Output: affine-invariant *inverse* depth (larger = nearer, >= 0). Converted by taking the reciprocal (0 =
    infinitely far -> 1), then the percentile normalisation: the depth order is kept exactly.

    Args:
        model: hub id or local directory.
        device, dtype, batch_size, normalizer: see :class:`~cuts3d.depth.model_depth.ModelDepth`.
    """

    model_class = 'DPTForDepthEstimation'
    inverse = True

    def __init__(self, model: str = 'Intel/dpt-hybrid-midas', device: str = 'cpu', dtype: str = 'auto',
                 batch_size: int = 4, normalizer: DepthNormalizer | dict | None = None) -> None:
        super().__init__(model, device, dtype, batch_size, normalizer)
