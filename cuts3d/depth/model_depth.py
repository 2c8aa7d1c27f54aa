"""What the network depth sources share: device and dtype, batched prediction, and the depth contract.

A network depth source predicts a raw map per image (metric depth, relative inverse depth, or affine-invariant depth,
depending on the model) and maps it through :class:`~cuts3d.depth.normalize.DepthNormalizer` to the contract:
float32 ``H x W`` in [0, 1], larger = farther, NaN unknown. ``inverse`` says whether the raw map is inverse depth
(larger = nearer), in which case its reciprocal is normalised (keeping depth order exactly).

``batch(images)`` runs a list of images at once on the configured device (images whose network input has the same
size are stacked, ``batch_size`` at a time), ``__call__(image, meta)`` is ``batch([image])[0]``.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Hashable, Iterator, Sequence
from typing import Any

import numpy as np

from .normalize import DepthNormalizer, build_normalizer

DTYPES = ('auto', 'float32', 'float16', 'bfloat16')


def torch_dtype(dtype: str, device: Any) -> Any:
    """The torch dtype for ``dtype``: ``'auto'`` is float16 on CUDA and float32 elsewhere."""
    import torch

    if dtype not in DTYPES:
        raise ValueError(f'dtype must be one of {DTYPES}; got {dtype!r}')
    if dtype == 'auto':
        return torch.float16 if torch.device(device).type == 'cuda' else torch.float32
    return getattr(torch, dtype)


def check_rgb(image: np.ndarray) -> None:
    """Refuse anything but an RGB uint8 ``H x W x 3`` array."""
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f'expected an RGB uint8 H x W x 3 image; got {getattr(image, "dtype", type(image))} '
                         f'{getattr(image, "shape", "")}')


def same_size_chunks(keys: Sequence[Hashable], batch_size: int) -> Iterator[list[int]]:
    """Indices grouped by equal ``keys`` (e.g. network input shapes), in chunks of at most ``batch_size``, in order
    of first appearance."""
    groups: dict[Hashable, list[int]] = defaultdict(list)
    for index, key in enumerate(keys):
        groups[key].append(index)
    for indices in groups.values():
        for start in range(0, len(indices), batch_size):
            yield indices[start:start + batch_size]


class ModelDepth(ABC):
    """Base of the network depth sources.

    Args:
        device: torch device the network runs on.
        dtype: ``'auto'`` (float16 on CUDA, float32 on CPU), ``'float32'``, ``'float16'`` or ``'bfloat16'``.
        batch_size: images per forward pass in :meth:`batch`.
        normalizer: :class:`~cuts3d.depth.normalize.DepthNormalizer` fields.

    Subclasses set ``inverse`` and implement :meth:`forward_raw`.
    """

    inverse: bool = False

    def __init__(self, device: str = 'cpu', dtype: str = 'auto', batch_size: int = 4,
                 normalizer: DepthNormalizer | dict | None = None) -> None:
        import torch

        if batch_size < 1:
            raise ValueError(f'batch_size must be >= 1; got {batch_size}')
        self.device = torch.device(device)
        self.dtype = torch_dtype(dtype, self.device)
        self.batch_size = int(batch_size)
        self.normalizer = build_normalizer(normalizer)

    @abstractmethod
    def forward_raw(self, images: list[np.ndarray]) -> list[np.ndarray]:
        """The raw network output of each image at the image's size (float32 ``H x W``), without autograd."""

    def predict(self, images: Sequence[np.ndarray]) -> list[np.ndarray]:
        """The raw outputs (metric, inverse or affine-invariant depth, as the model gives them) of RGB uint8 images."""
        import torch

        images = list(images)
        for image in images:
            check_rgb(image)
        with torch.inference_mode():
            return self.forward_raw(images)

    def batch(self, images: Sequence[np.ndarray], metas: Sequence[dict] | None = None) -> list[np.ndarray]:
        """Depth maps in the contract (float32 ``H x W`` in [0, 1], larger = farther, NaN unknown), one per image."""
        images = list(images)
        return [self.normalizer(raw, image.shape[:2], inverse=self.inverse)
                for raw, image in zip(self.predict(images), images)]

    def __call__(self, image: np.ndarray, meta: dict[str, Any]) -> np.ndarray:
        return self.batch([image], [meta])[0]
