"""Weight-free per-patch colour features, for tests and synthetic scenes where no self-supervised ViT is available."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..registry import FEATURE_EXTRACTORS
from .base import PatchFeatureExtractor


@FEATURE_EXTRACTORS.register_module()
class PatchColorFeatures(PatchFeatureExtractor):
    """Soft RGB colour histogram of each patch, ``bins**3`` channels (+2 with ``with_position``).

    Each pixel's R, G and B are softly assigned to ``bins`` evenly spaced centres in [0, 1] with a Gaussian of width
    ``sigma`` (normalised to sum 1 per channel); a patch's feature is the mean over its pixels of the joint
    (outer-product) assignment. The cosine similarity of two features is then a Gaussian-kernel similarity of the
    patches' colour distributions: same-coloured patches get near-identical features (cosine near 1) wherever they
    are, clearly different colours near-orthogonal ones (cosine near 0, below MaskCut's tau = 0.15), and a patch
    mixing two colours lies between them. That is what an NCut on cosine affinities needs to group objects by colour.

    Args:
        patch_size: side of a square patch in pixels.
        input_size: ``(H, W)`` every image is resized to (LANCZOS, aspect not kept), a multiple of ``patch_size``.
        bins: centres per colour channel.
        sigma: Gaussian width in [0, 1] colour units; None means half the spacing of the centres.
        with_position: append the patch centre ``(y / H, x / W)``, times ``position_weight`` (off by default: it
            ties patches by location as well as colour).
        position_weight: scale of the appended position.
    """

    def __init__(self, patch_size: int = 8, input_size: Sequence[int] = (480, 480), bins: int = 5,
                 sigma: float | None = None, with_position: bool = False, position_weight: float = 1.0) -> None:
        if patch_size < 1:
            raise ValueError(f'patch_size must be >= 1; got {patch_size}')
        if bins < 2:
            raise ValueError(f'bins must be >= 2; got {bins}')
        self.patch_size = patch_size
        super().__init__(input_size)
        self.centres = np.linspace(0.0, 1.0, bins, dtype=np.float32)
        self.sigma = 0.5 / (bins - 1) if sigma is None else float(sigma)
        if self.sigma <= 0:
            raise ValueError(f'sigma must be > 0; got {sigma}')
        self.with_position = with_position
        self.position_weight = position_weight

    def soft_assignment(self, colours: np.ndarray) -> np.ndarray:
        """``... x 3`` colours in [0, 1] -> ``... x 3 x bins`` Gaussian soft assignments summing to 1 per channel."""
        weights = np.exp(-(colours[..., None] - self.centres) ** 2 / (2 * self.sigma ** 2))
        return weights / weights.sum(axis=-1, keepdims=True)

    def extract(self, resized: np.ndarray) -> np.ndarray:
        """Per-patch mean of the joint soft assignment, ``bins**3 (+2) x h x w`` float32."""
        (height, width), size = self.grid, self.patch_size
        assignment = self.soft_assignment(resized.astype(np.float32) / 255.0)
        bins = len(self.centres)
        patches = assignment.reshape(height, size, width, size, 3, bins).transpose(0, 2, 1, 3, 4, 5)
        patches = patches.reshape(height * width, size * size, 3, bins)
        joint = np.einsum('npi,npj,npk->nijk', patches[:, :, 0], patches[:, :, 1], patches[:, :, 2], optimize=True)
        feats = (joint / (size * size)).reshape(height, width, bins ** 3).transpose(2, 0, 1)
        if self.with_position:
            rows, cols = np.meshgrid((np.arange(height) + 0.5) / height, (np.arange(width) + 0.5) / width,
                                     indexing='ij')
            feats = np.concatenate([feats, self.position_weight * np.stack([rows, cols])], axis=0)
        return feats.astype(np.float32)
