"""CutS3D's copy-paste: paste the most confident pseudo-masks, optionally alpha-blended by their Spatial Confidence."""
from __future__ import annotations

import numpy as np
from mmcv.transforms.utils import cache_randomness
from mmdet.structures.mask import BitmapMasks

from cuts3d.registry import TRANSFORMS

from ...structures.spatial_confidence_masks import SpatialConfidenceMasks
from .copy_paste import CutLERCopyPaste


def confidence_alpha_blend(source: np.ndarray, target: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """CutS3D eq. (5): ``I_aug = SC * I_S + (1 - SC) * I_T`` per pixel.

    Args:
        source: the source image ``I_S`` placed on the target's canvas, ``H x W x C``.
        target: the target image ``I_T``, ``H x W x C``.
        alpha: ``H x W`` in [0, 1]: the pasted instance's SC inside it and 0 elsewhere (the paper's
            "SC = 0 for regions other than the copied instance").

    Returns:
        The blended image in ``target``'s dtype (rounded and clipped for integer images).
    """
    if source.shape != target.shape or alpha.shape != target.shape[:2]:
        raise ValueError(f'alpha blending needs source {source.shape}, target {target.shape} and alpha '
                         f'{alpha.shape} of one size')
    weight = alpha.astype(np.float32)[..., None]
    blended = weight * source.astype(np.float32) + (1.0 - weight) * target.astype(np.float32)
    if np.issubdtype(target.dtype, np.integer):
        info = np.iinfo(target.dtype)
        blended = np.clip(np.rint(blended), info.min, info.max)
    return blended.astype(target.dtype)


@TRANSFORMS.register_module()
class ConfidentCopyPaste(CutLERCopyPaste):
    """CutLER copy-paste with CutS3D's Spatial Confidence components (paper section 3.4).

    - Confident copy-paste selection (``select='confident'``): of the source objects, paste the ``k`` with the
      highest mean Spatial Confidence (``SpatialConfidenceMasks.sc_means``: the annotation's ``sc_mean``, else the
      mean of its SC map), ``k`` drawn as in CutLER (1, or uniform in 1..n-1). The paper says "we average the
      confidence scores for the entire mask into a single score and use it to sort the masks within an image";
      keeping CutLER's random count is this project's reading. It never ranks by the annotation's ``score``:
      after self-training that is a detector's score for the model's own predictions, not a confidence of the
      extraction. Predictions have no SC map and count as SC = 1 (as in the SC loss and alpha blending), so they
      rank with the fully confident pseudo-masks. ``select='random'`` is CutLER's random choice.
    - Confidence alpha-blending (``alpha_blend=True``): pasted pixels are blended by CutS3D eq. (5)
      (:func:`confidence_alpha_blend`) with ``alpha`` the pasted object's SC map inside its mask
      (``alpha_source='map'``), or its mean SC (``alpha_source='mean'``, the "Scalar" row of Table 5b: "the
      average confidence as alpha"); where pasted objects overlap the larger alpha wins. The pasted masks stay
      binary and still cut the target masks they occlude, as in CutLER.

    Both need the masks to carry SC (``LoadSpatialConfidence`` in the inner dataset's pipeline). All other
    arguments and behaviour are :class:`CutLERCopyPaste`'s.

    Raises:
        ValueError: unknown ``select`` or ``alpha_source``.
        TypeError: at run time, when the source masks carry no Spatial Confidence.
    """

    def __init__(self, select: str = 'confident', alpha_blend: bool = False, alpha_source: str = 'map',
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if select not in ('confident', 'random'):
            raise ValueError(f"select must be 'confident' or 'random'; got {select!r}")
        if alpha_source not in ('map', 'mean'):
            raise ValueError(f"alpha_source must be 'map' or 'mean'; got {alpha_source!r}")
        self.select = select
        self.alpha_blend = alpha_blend
        self.alpha_source = alpha_source

    @cache_randomness
    def _choose(self, masks: BitmapMasks) -> np.ndarray:
        """The ``_paste_count`` most confident source objects (by mean SC), or random ones."""
        if self.select == 'random':
            return super()._choose(masks)
        _require_confidence(masks, 'confident selection')
        order = np.argsort(-masks.sc_means, kind='stable')
        return order[:self._paste_count(len(masks))]

    def _compose(self, target_img: np.ndarray, source_canvas: np.ndarray, pasted: BitmapMasks) -> np.ndarray:
        if not self.alpha_blend:
            return super()._compose(target_img, source_canvas, pasted)
        _require_confidence(pasted, 'alpha blending')
        inside = pasted.masks > 0
        if self.alpha_source == 'map':
            alpha = np.where(inside, pasted.confidence(), 0.0)
        else:
            alpha = np.where(inside, pasted.sc_means[:, None, None], 0.0)
        return confidence_alpha_blend(source_canvas, target_img, alpha.max(axis=0))

    def __repr__(self) -> str:
        return (f'{super().__repr__()[:-1]}, select={self.select!r}, alpha_blend={self.alpha_blend}, '
                f'alpha_source={self.alpha_source!r})')


def _require_confidence(masks: BitmapMasks, purpose: str) -> None:
    if not isinstance(masks, SpatialConfidenceMasks):
        raise TypeError(f'{purpose} needs masks with Spatial Confidence, got {type(masks).__name__}: add '
                        'LoadSpatialConfidence after LoadAnnotations in the inner dataset pipeline')
