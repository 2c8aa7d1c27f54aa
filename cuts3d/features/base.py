"""What every feature extractor shares: input checks, the MaskCut resize, normalisation, and the output contract.

CutLER's MaskCut resizes every image to a fixed 480 x 480 square with PIL LANCZOS (aspect ratio not kept) and normalises
with the ImageNet mean/std before the ViT (``docs/reference.md``, "MaskCut"). :class:`PatchFeatureExtractor` does
exactly that, runs the network under :func:`torch.inference_mode`, and returns :class:`PatchFeatures` with float32
``C x h x w`` features, ``h = H // patch_size``. ``__call__(image)`` is the one-image contract; ``batch(images)``
gives the same features for several images from one forward pass (what the pipelined extraction runner feeds).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np
import torch
from PIL import Image

from ..structures import PatchFeatures

# ImageNet statistics in 0-255 units, as torchvision's Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)).
IMAGENET_MEAN = (123.675, 116.28, 103.53)
IMAGENET_STD = (58.395, 57.12, 57.375)


def check_input_size(input_size: Sequence[int], patch_size: int) -> tuple[int, int]:
    """Return ``input_size`` as ``(H, W)`` ints; each side must be a positive multiple of ``patch_size``.

    A multiple is required so the patch grid covers the whole resized image: a ViT's patch embedding would drop the
    remainder and a 'SAME'-padded CNN would pad it, and the two would disagree about the grid.
    """
    if len(input_size) != 2 or not all(isinstance(s, (int, np.integer)) and s > 0 for s in input_size):
        raise ValueError(f'input_size must be two positive ints (H, W); got {input_size!r}')
    height, width = int(input_size[0]), int(input_size[1])
    if height % patch_size or width % patch_size:
        raise ValueError(f'input_size {height} x {width} is not a multiple of the patch size {patch_size}; '
                         f'use e.g. {height // patch_size * patch_size or patch_size} x '
                         f'{width // patch_size * patch_size or patch_size}')
    return height, width


def check_image(image: np.ndarray) -> None:
    """Refuse anything but an RGB uint8 ``H x W x 3`` array, the project's image contract."""
    if not isinstance(image, np.ndarray):
        raise TypeError(f'expected an RGB uint8 numpy array H x W x 3; got {type(image).__name__}')
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f'expected an RGB uint8 image H x W x 3; got dtype {image.dtype}, shape {image.shape}')
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise ValueError(f'empty image of shape {image.shape}')


class PatchFeatureExtractor(ABC):
    """Base of the FEATURE_EXTRACTORS: ``__call__(image RGB uint8 H x W x 3) -> PatchFeatures``.

    Subclasses set ``patch_size`` before calling ``super().__init__`` and implement :meth:`extract`, which gets the
    resized uint8 image and returns ``C x h x w`` features. ``mean``/``std`` (0-255 units) are the normalisation
    :meth:`to_tensor` applies; the default is ImageNet's.
    """

    patch_size: int
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD

    def __init__(self, input_size: Sequence[int] = (480, 480), device: str = 'cpu') -> None:
        self.input_size = check_input_size(input_size, self.patch_size)
        self.device = torch.device(device)

    @property
    def grid(self) -> tuple[int, int]:
        """The ``(h, w)`` patch grid of every output."""
        return self.input_size[0] // self.patch_size, self.input_size[1] // self.patch_size

    def resize(self, image: np.ndarray) -> np.ndarray:
        """Resize to ``input_size`` with PIL LANCZOS, aspect ratio not kept (as CutLER's MaskCut does)."""
        height, width = self.input_size
        if image.shape[:2] == (height, width):
            return image
        return np.asarray(Image.fromarray(image).resize((width, height), Image.Resampling.LANCZOS))

    def to_tensor(self, resized: np.ndarray) -> torch.Tensor:
        """``1 x 3 x H x W`` float32 tensor on ``device``, normalised by ``mean``/``std``."""
        return self.to_batch_tensor([resized])

    def to_batch_tensor(self, resized: Sequence[np.ndarray]) -> torch.Tensor:
        """``B x 3 x H x W`` float32 tensor on ``device`` of images resized to ``input_size``, normalised by
        ``mean``/``std`` (one transfer for the batch)."""
        mean = np.asarray(self.mean, dtype=np.float32)
        std = np.asarray(self.std, dtype=np.float32)
        normalised = (np.stack(resized).astype(np.float32) - mean) / std
        return torch.from_numpy(normalised).permute(0, 3, 1, 2).to(self.device)

    @abstractmethod
    def extract(self, resized: np.ndarray) -> torch.Tensor | np.ndarray:
        """Features ``C x h x w`` of one image already resized to ``input_size`` (uint8 RGB)."""

    def extract_batch(self, resized: Sequence[np.ndarray]) -> Sequence[torch.Tensor | np.ndarray]:
        """Features ``C x h x w`` of several images already resized to ``input_size``. This default calls
        :meth:`extract` per image; a network overrides it with one batched forward pass."""
        return [self.extract(image) for image in resized]

    def __call__(self, image: np.ndarray) -> PatchFeatures:
        check_image(image)
        resized = self.resize(image)
        with torch.inference_mode():
            feats = self.extract(resized)
        return self._patch_features(feats)

    def batch(self, images: Sequence[np.ndarray]) -> list[PatchFeatures]:
        """``[self(image) for image in images]`` from one forward pass on ``device`` (:meth:`extract_batch`).

        Images already of ``input_size`` are not resized again. On the CPU the ViTs give the single-image features
        bit for bit (tests/features/test_base.py); a GPU may pick other kernels for another batch size, which
        changes the features by round-off.
        """
        resized = []
        for image in images:
            check_image(image)
            resized.append(self.resize(image))
        if not resized:
            return []
        with torch.inference_mode():
            feats = self.extract_batch(resized)
        return [self._patch_features(one) for one in feats]

    def _patch_features(self, feats: torch.Tensor | np.ndarray) -> PatchFeatures:
        """One image's network output as checked float32 :class:`PatchFeatures` on the CPU."""
        if isinstance(feats, torch.Tensor):
            feats = feats.detach().to('cpu', torch.float32).numpy()
        feats = np.ascontiguousarray(feats, dtype=np.float32)
        if feats.ndim != 3 or feats.shape[1:] != self.grid:
            raise RuntimeError(f'{type(self).__name__} produced features of shape {feats.shape}; '
                               f'expected C x {self.grid[0]} x {self.grid[1]}')
        return PatchFeatures(feats=feats, patch_size=self.patch_size, input_size=self.input_size)
