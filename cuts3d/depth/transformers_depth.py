"""Monocular depth models of Hugging Face ``transformers`` (DPT, Depth Anything, ZoeDepth) as depth sources.

The model and its image processor come from a hub id or a local directory (:func:`cuts3d.weights.load_pretrained`);
the processor does the model's own resizing and normalisation. Images whose processed size is equal are stacked
into one forward pass.
"""
from __future__ import annotations

import numpy as np

from ..weights import load_pretrained
from .model_depth import ModelDepth, same_size_chunks
from .normalize import DepthNormalizer


class TransformersDepth(ModelDepth):
    """A ``transformers`` depth-estimation model: preprocess with its image processor, predict, resize the
    prediction back to the image bilinearly, normalise.

    Bilinear, not the processors' bicubic: a convex combination keeps a non-negative inverse depth non-negative,
    while bicubic overshoot below 0 would turn pixels next to the sky unknown after the reciprocal.

    Args:
        model: hub id or local directory (``save_pretrained`` layout).
        device, dtype, batch_size, normalizer: see :class:`~cuts3d.depth.model_depth.ModelDepth`.

    Subclasses name ``model_class`` (a ``transformers`` class with ``from_pretrained``) and set ``inverse``.
    """

    model_class: str = 'AutoModelForDepthEstimation'

    def __init__(self, model: str, device: str = 'cpu', dtype: str = 'auto', batch_size: int = 4,
                 normalizer: DepthNormalizer | dict | None = None) -> None:
        super().__init__(device, dtype, batch_size, normalizer)
        import transformers

        network = getattr(transformers, self.model_class)
        what = type(self).__name__
        self.model_name = model
        self.model = load_pretrained(lambda source: network.from_pretrained(source, torch_dtype=self.dtype), model,
                                     what)
        self.processor = load_pretrained(transformers.AutoImageProcessor.from_pretrained, model, what)
        self.model.to(self.device)
        self.model.eval()

    def forward_raw(self, images: list[np.ndarray]) -> list[np.ndarray]:
        import torch

        pixels = [self.processor(images=image, return_tensors='pt')['pixel_values'] for image in images]
        raws: list[np.ndarray] = [np.empty(0)] * len(images)
        for chunk in same_size_chunks([tuple(p.shape) for p in pixels], self.batch_size):
            batch = torch.cat([pixels[i] for i in chunk]).to(self.device, self.dtype)
            maps = self.infer(batch, [images[i].shape[:2] for i in chunk])
            for index, depth in zip(chunk, maps):
                raws[index] = depth.float().cpu().numpy()
        return raws

    def infer(self, pixel_values, sizes: list[tuple[int, int]]) -> list:
        """The model's ``predicted_depth`` for a stacked batch, each resized bilinearly to its image size."""
        import torch.nn.functional as F

        depth = self.model(pixel_values=pixel_values).predicted_depth
        return [F.interpolate(d[None, None].float(), size=size, mode='bilinear', align_corners=False)[0, 0]
                for d, size in zip(depth, sizes)]
