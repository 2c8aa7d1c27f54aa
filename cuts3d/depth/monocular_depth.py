"""Zero-shot monocular depth from a DPT model (MiDaS v3 style) loaded from a local checkpoint.

CutS3D (sec. 3.2) takes its depth from an off-the-shelf monocular estimator (ZoeDepth, itself a MiDaS DPT with a
metric head). This source runs such a network on each image; for large data sets, precompute the maps once and
use :class:`~cuts3d.depth.file_depth.FileDepth` instead.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from ..registry import DEPTH_SOURCES
from .normalize import DepthNormalizer, build_normalizer

logger = logging.getLogger(__name__)

OUTPUTS = ('inverse_depth', 'depth')


@DEPTH_SOURCES.register_module()
class MonocularDepth:
    """Depth from a DPT network: resize (MiDaS's "minimal" rule, bicubic), normalise, predict, resize the
    prediction back to the image, then map it to [0, 1] (larger = farther).

    The prediction is resized back bilinearly (MiDaS's ``run.py`` uses bicubic, whose overshoot can push a
    non-negative inverse depth below zero, which the inverse-depth conversion would have to mark unknown).

    Args:
        arch: a DPT preset (``'dpt_hybrid'``, ``'dpt_large'``, ``'dpt_base'``) or a dict of
            :class:`~cuts3d.depth.dpt.dpt_net.DPTNet` arguments.
        checkpoint: local weights in the official MiDaS v3 or the native layout (see
            :mod:`cuts3d.depth.dpt.dpt_checkpoint`); required unless ``random_weights``.
        input_size: the network input size (MiDaS DPT: 384), rounded to a multiple of ``2 * patch_size``: the
            side nearer to it is resized to it (:meth:`network_size`); with ``keep_aspect_ratio=False`` the input
            is ``input_size`` square.
        output: what the network predicts: ``'inverse_depth'`` (MiDaS: affine-invariant inverse depth; its
            reciprocal is taken, which keeps the depth order) or ``'depth'``.
        mean, std: input normalisation on [0, 1] RGB (MiDaS DPT: 0.5, 0.5).
        keep_aspect_ratio: keep the image's aspect ratio when resizing (MiDaS: True).
        device: torch device for the network.
        random_weights: allow running without a checkpoint (smoke tests, demos); the depth is then meaningless.
        normalizer: :class:`~cuts3d.depth.normalize.DepthNormalizer` fields.

    After loading, :attr:`load_report` lists missing, unexpected and ignored checkpoint keys.
    """

    def __init__(self, arch: str | dict = 'dpt_hybrid', checkpoint: str | None = None, input_size: int = 384,
                 output: str = 'inverse_depth', mean: Sequence[float] = (0.5, 0.5, 0.5),
                 std: Sequence[float] = (0.5, 0.5, 0.5), keep_aspect_ratio: bool = True, device: str = 'cpu',
                 random_weights: bool = False, normalizer: DepthNormalizer | dict | None = None) -> None:
        if output not in OUTPUTS:
            raise ValueError(f'output must be one of {OUTPUTS}; got {output!r}')
        if checkpoint is None and not random_weights:
            raise ValueError('MonocularDepth needs checkpoint=<local DPT weights> (no weights can be downloaded); '
                             'pass random_weights=True only for smoke tests')
        if len(mean) != 3 or len(std) != 3 or min(std) <= 0:
            raise ValueError(f'mean and std need 3 values each, std positive; got {mean}, {std}')
        from .dpt import LoadReport, build_dpt, load_dpt_weights  # mmpretrain's ViT: loaded only when built
        self.net = build_dpt(arch)
        self.load_report = LoadReport()
        if checkpoint is not None:
            self.load_report = load_dpt_weights(self.net, checkpoint)
        else:
            logger.warning('MonocularDepth runs with random weights: its depth is meaningless')
        self.device = torch.device(device)
        self.net.to(self.device)
        self.net.eval()  # mmpretrain 1.2.0's VisionTransformer.train() returns None: never chain this call
        multiple = 2 * self.net.patch_size
        self.input_size = max(multiple, round(input_size / multiple) * multiple)
        self.multiple = multiple
        self.output = output
        self.mean = np.asarray(mean, dtype=np.float32)
        self.std = np.asarray(std, dtype=np.float32)
        self.keep_aspect_ratio = keep_aspect_ratio
        self.normalizer = build_normalizer(normalizer)

    def network_size(self, height: int, width: int) -> tuple[int, int]:
        """The ``(H, W)`` the network sees for an image of ``height x width``.

        MiDaS's ``resize_method='minimal'``: of the two scales that would bring a side to ``input_size``, the one
        closer to 1 is applied to both sides (for images larger than ``input_size``: the shorter side becomes
        ``input_size``), then each side is rounded to a multiple of ``2 * patch_size``.
        """
        if not self.keep_aspect_ratio:
            return self.input_size, self.input_size
        scale_h, scale_w = self.input_size / height, self.input_size / width
        scale = scale_w if abs(1 - scale_w) < abs(1 - scale_h) else scale_h
        return tuple(max(self.multiple, round(side * scale / self.multiple) * self.multiple)
                     for side in (height, width))

    @torch.no_grad()
    def predict(self, image: np.ndarray) -> np.ndarray:
        """The raw network output for an RGB uint8 image, resized to the image (float32 ``H x W``)."""
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(f'expected an RGB uint8 H x W x 3 image; got {image.dtype} {image.shape}')
        height, width = image.shape[:2]
        net_h, net_w = self.network_size(height, width)
        resized = cv2.resize(image, (net_w, net_h), interpolation=cv2.INTER_CUBIC).astype(np.float32) / 255.0
        tensor = torch.from_numpy((resized - self.mean) / self.std).permute(2, 0, 1)[None].to(self.device)
        prediction = self.net(tensor)[:, None]
        prediction = F.interpolate(prediction, size=(height, width), mode='bilinear', align_corners=False)
        return prediction[0, 0].float().cpu().numpy()

    def __call__(self, image: np.ndarray, meta: dict[str, Any]) -> np.ndarray:
        return self.normalizer(self.predict(image), image.shape[:2], inverse=self.output == 'inverse_depth')
