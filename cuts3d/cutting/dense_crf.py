"""MaskCut's dense-CRF post-processing of a pseudo-mask (CutLER ``maskcut/crf.py``; CutS3D section 3.2).

The CRF snaps a patch-level mask to image edges; a mask that the CRF changes a lot (IoU < 0.5 with its input)
is unreliable and is discarded, as CutLER does.

CutLER's CRF sees only colour: its bilateral kernel ties every pair of pixels of similar colour within
``bilateral_sxy`` pixels. For a CutS3D instance cut out of a group of same-coloured objects along a depth step, that
kernel pulls the mask across the step into the touching object of the same colour; the grown mask then fails the
IoU check and the instance is discarded (``docs/extraction_quality.md`` measures both). With ``depth_std`` set, the
bilateral kernel also compares depth, ``exp(-|p - q|^2 / 2 sxy^2 - |I_p - I_q|^2 / 2 srgb^2 - |D_p - D_q|^2 / 2
depth_std^2)``: pixels on two sides of a depth step no longer attract each other, while the kernel inside one
surface is the colour kernel as before. The generator hands the depth map over (see :attr:`DenseCRF.uses_depth`).
"""
from __future__ import annotations

import numpy as np
from scipy import ndimage
from scipy.special import softmax

from ..registry import MASK_REFINERS
from ..utils.mask_ops import mask_iou

try:  # a compiled extension (pydensecrf2); DenseCRF explains how to install it when it is missing
    import pydensecrf.densecrf as dcrf
    from pydensecrf.utils import create_pairwise_bilateral, unary_from_softmax
except ImportError as error:
    dcrf = None
    _PYDENSECRF_ERROR: ImportError | None = error
else:
    _PYDENSECRF_ERROR = None


def crf_unary(mask: np.ndarray) -> np.ndarray:
    """CutLER's unary: ``-log softmax([1 - m, m])`` over the two labels (background, foreground), ``2 x H*W``.

    The reference treats the binary mask as logits, so the probabilities are ``softmax([0, 1]) = (0.27, 0.73)``
    rather than hard 0 / 1: the CRF may move the boundary where the image asks for it.
    """
    foreground = mask.astype(np.float64)
    probabilities = softmax(np.stack([1.0 - foreground, foreground]), axis=0)
    return np.ascontiguousarray(unary_from_softmax(probabilities))


@MASK_REFINERS.register_module()
class DenseCRF:
    """Refine a mask with pydensecrf exactly as CutLER's MaskCut, then fill holes; None when the CRF disagrees.

    Args:
        iterations: mean-field iterations (CutLER ``MAX_ITER = 10``).
        gaussian_sxy, gaussian_compat: ``addPairwiseGaussian`` (CutLER ``POS_XY_STD = 3``, ``POS_W = 7``).
        bilateral_sxy, bilateral_srgb, bilateral_compat: ``addPairwiseBilateral`` (CutLER ``Bi_XY_STD = 50``,
            ``Bi_RGB_STD = 5``, ``Bi_W = 10``).
        min_iou: discard the mask (return None) if IoU(input, refined) is below this (CutLER: 0.5).
        depth_std: None (CutLER): the bilateral kernel compares colour only. A length in depth units ([0, 1]):
            the bilateral kernel also compares depth with this standard deviation, so the CRF does not spread a
            mask across a depth step (module docstring); the call then needs ``depth``.
    """

    def __init__(self, iterations: int = 10, gaussian_sxy: float = 3, gaussian_compat: float = 7,
                 bilateral_sxy: float = 50, bilateral_srgb: float = 5, bilateral_compat: float = 10,
                 min_iou: float = 0.5, depth_std: float | None = None) -> None:
        if dcrf is None:
            raise ImportError('DenseCRF needs pydensecrf: pip install --no-build-isolation "cython<3" '
                              f'pydensecrf2==1.1 (or run tools/install.sh); import failed with: {_PYDENSECRF_ERROR}')
        self.iterations = int(iterations)
        self.gaussian_sxy = gaussian_sxy
        self.gaussian_compat = gaussian_compat
        self.bilateral_sxy = bilateral_sxy
        self.bilateral_srgb = bilateral_srgb
        self.bilateral_compat = bilateral_compat
        self.min_iou = float(min_iou)
        if depth_std is not None and not depth_std > 0:
            raise ValueError(f'depth_std must be > 0 or None, got {depth_std}')
        self.depth_std = None if depth_std is None else float(depth_std)

    @property
    def uses_depth(self) -> bool:
        """Whether calls need the depth map (``depth_std`` set); the pseudo-mask generator passes it then."""
        return self.depth_std is not None

    def refine(self, image: np.ndarray, mask: np.ndarray, depth: np.ndarray | None = None) -> np.ndarray:
        """The CRF's MAP labelling (bool ``H x W``) of ``mask`` on ``image`` (and ``depth``), before hole filling."""
        height, width = mask.shape
        crf = dcrf.DenseCRF2D(width, height, 2)
        crf.setUnaryEnergy(crf_unary(mask))
        crf.addPairwiseGaussian(sxy=self.gaussian_sxy, compat=self.gaussian_compat)
        if depth is None:
            crf.addPairwiseBilateral(sxy=self.bilateral_sxy, srgb=self.bilateral_srgb,
                                     rgbim=np.require(image, requirements='CW'), compat=self.bilateral_compat)
        else:
            channels = np.dstack([image.astype(np.float32), depth.astype(np.float32)])
            features = create_pairwise_bilateral(sdims=(self.bilateral_sxy, self.bilateral_sxy),
                                                 schan=(self.bilateral_srgb, ) * 3 + (self.depth_std, ),
                                                 img=channels, chdim=2)
            crf.addPairwiseEnergy(features, compat=self.bilateral_compat)
        marginals = np.asarray(crf.inference(self.iterations)).reshape(2, height, width)
        return np.argmax(marginals, axis=0).astype(bool)

    def __call__(self, image: np.ndarray, mask: np.ndarray, depth: np.ndarray | None = None) -> np.ndarray | None:
        """CRF, ``binary_fill_holes``, then the IoU check; an empty input mask is discarded (None).

        ``depth`` (float ``H x W``, NaN allowed: filled with the median) is required when ``depth_std`` is set
        and ignored otherwise.
        """
        image = np.asarray(image)
        mask = np.asarray(mask)
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(f'DenseCRF needs an RGB uint8 H x W x 3 image, got {image.dtype} {image.shape}')
        if mask.shape != image.shape[:2]:
            raise ValueError(f'mask has shape {mask.shape}, but the image is {image.shape[:2]}')
        if self.uses_depth:
            depth = self._checked_depth(depth, mask.shape)
        else:
            depth = None
        mask = mask.astype(bool)
        if not mask.any():
            return None
        refined = ndimage.binary_fill_holes(self.refine(image, mask, depth))
        return refined if mask_iou(mask, refined) >= self.min_iou else None

    @staticmethod
    def _checked_depth(depth: np.ndarray | None, shape: tuple[int, int]) -> np.ndarray:
        if depth is None:
            raise ValueError('DenseCRF(depth_std=...) compares depth and needs the depth map (depth=None given)')
        depth = np.asarray(depth, dtype=np.float32)
        if depth.shape != shape:
            raise ValueError(f'depth has shape {depth.shape}, but the mask is {shape}')
        if np.isnan(depth).all():
            raise ValueError('DenseCRF got a depth map without a single known (non-NaN) value')
        return np.where(np.isnan(depth), np.nanmedian(depth), depth)
