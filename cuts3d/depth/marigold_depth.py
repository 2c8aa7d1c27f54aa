"""Marigold (Ke et al., CVPR 2024), a diffusion model repurposed for depth (CutS3D Table 8), from ``diffusers``."""
from __future__ import annotations

import numpy as np

from ..registry import DEPTH_SOURCES
from ..weights import load_pretrained
from .model_depth import ModelDepth, same_size_chunks
from .normalize import DepthNormalizer


@DEPTH_SOURCES.register_module()
class MarigoldDepth(ModelDepth):
    """Marigold through ``diffusers.MarigoldDepthPipeline`` (``prs-eth/marigold-depth-v1-1``, or the one-step
    ``prs-eth/marigold-depth-lcm-v1-0``).

    Output: affine-invariant depth in [0, 1] (larger = farther), at the image's size. Normalised as it is.
    Diffusion starts from noise: ensemble member ``e`` of every image gets its own generator seeded with
    ``seed + e``, so an image's depth does not depend on which images share its batch, and a rerun gives the same map.

    Args:
        model: hub id or local directory (``save_pretrained`` layout of the pipeline).
        variant: weights variant to load, e.g. ``'fp16'`` (half the download; upcast on CPU), None for the default.
        num_inference_steps: denoising steps; None: the model's default (v1-1: 1 to 4, LCM: 1 to 4).
        ensemble_size: predictions averaged per image (the paper's test-time ensembling); 1 is fastest.
        processing_resolution: longer side the pipeline works at; None: the model's default (768).
        seed: seed of every image's noise.
        device, dtype, batch_size, normalizer: see :class:`~cuts3d.depth.model_depth.ModelDepth`.
    """

    inverse = False

    def __init__(self, model: str = 'prs-eth/marigold-depth-v1-1', variant: str | None = None,
                 num_inference_steps: int | None = None, ensemble_size: int = 1,
                 processing_resolution: int | None = None, seed: int = 0, device: str = 'cpu', dtype: str = 'auto',
                 batch_size: int = 1, normalizer: DepthNormalizer | dict | None = None) -> None:
        super().__init__(device, dtype, batch_size, normalizer)
        if ensemble_size < 1:
            raise ValueError(f'ensemble_size must be >= 1; got {ensemble_size}')
        from diffusers import MarigoldDepthPipeline

        self.model_name = model
        self.pipeline = load_pretrained(
            lambda source: MarigoldDepthPipeline.from_pretrained(source, variant=variant, torch_dtype=self.dtype),
            model, 'MarigoldDepth')
        self.pipeline.to(self.device)
        self.pipeline.set_progress_bar_config(disable=True)
        self.num_inference_steps = num_inference_steps
        self.ensemble_size = int(ensemble_size)
        self.processing_resolution = processing_resolution
        self.seed = int(seed)

    def forward_raw(self, images: list[np.ndarray]) -> list[np.ndarray]:
        import torch

        raws: list[np.ndarray] = [np.empty(0)] * len(images)
        for chunk in same_size_chunks([image.shape for image in images], self.batch_size):
            # The pipeline orders its N x E latents image-major; member e of every image starts from seed + e.
            generators = [torch.Generator(self.device).manual_seed(self.seed + member)
                          for _ in chunk for member in range(self.ensemble_size)]
            output = self.pipeline([images[i] for i in chunk], num_inference_steps=self.num_inference_steps,
                                   ensemble_size=self.ensemble_size, processing_resolution=self.processing_resolution,
                                   match_input_resolution=True, batch_size=self.batch_size, generator=generators,
                                   output_type='pt')
            for index, depth in zip(chunk, output.prediction):
                raws[index] = depth[0].float().cpu().numpy()
        return raws
