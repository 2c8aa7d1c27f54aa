"""The ResNet stem of the ViT-hybrid encoder of DPT-Hybrid (``vit_base_resnet50_384`` in timm).

The hybrid tokenises the image with the first three stages of a BiT-style ResNet-50 (weight-standardised
convolutions, GroupNorm, TensorFlow "SAME" padding, non-pre-activation bottlenecks) and DPT also taps the first two
stages as its fine-scale features. mmpretrain has no such backbone (its ResNets use BatchNorm and symmetric
padding, which would misalign official weights by a pixel), so it is written here. Attribute names follow timm's
``ResNetV2`` (``stem.conv``, ``stem.norm``, ``stages.N.blocks.M.conv1`` ... ``downsample.conv``), so the
``pretrained.model.patch_embed.backbone.*`` keys of an official DPT-Hybrid checkpoint load unchanged.
"""
from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F


def pad_same(x: torch.Tensor, kernel_size: int, stride: int, value: float = 0.0) -> torch.Tensor:
    """Pad ``x`` as TensorFlow's "SAME" does: ``ceil(size / stride)`` outputs, the odd pixel at the bottom/right."""
    pads = []
    for size in (x.shape[-1], x.shape[-2]):
        total = max((math.ceil(size / stride) - 1) * stride + kernel_size - size, 0)
        pads += [total // 2, total - total // 2]
    return F.pad(x, pads, value=value)


class StdConv2dSame(nn.Conv2d):
    """Bias-free convolution with weight standardisation and "SAME" padding (BiT; timm's ``StdConv2dSame``).

    Each output filter is standardised to zero mean and unit variance (biased, ``eps`` added to the variance)
    before the convolution. Stride-1 convolutions use the equivalent static padding.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
                 eps: float = 1e-8) -> None:
        static = stride == 1
        super().__init__(in_channels, out_channels, kernel_size, stride=stride,
                         padding=(kernel_size - 1) // 2 if static else 0, bias=False)
        self.dynamic_padding = not static
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.dynamic_padding:
            x = pad_same(x, self.kernel_size[0], self.stride[0])
        weight = F.batch_norm(self.weight.reshape(1, self.out_channels, -1), None, None, training=True,
                              momentum=0.0, eps=self.eps).reshape_as(self.weight)
        return F.conv2d(x, weight, None, self.stride, self.padding)


class GroupNormReLU(nn.GroupNorm):
    """GroupNorm optionally followed by ReLU (timm's ``GroupNormAct``; same parameters as ``nn.GroupNorm``)."""

    def __init__(self, num_groups: int, num_channels: int, relu: bool = True, eps: float = 1e-5) -> None:
        super().__init__(num_groups, num_channels, eps=eps)
        self.relu = relu

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = super().forward(x)
        return F.relu(x) if self.relu else x


class MaxPool2dSame(nn.Module):
    """Max pooling with "SAME" padding (padded with -inf, so padding never wins the max)."""

    def __init__(self, kernel_size: int = 3, stride: int = 2) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = pad_same(x, self.kernel_size, self.stride, value=float('-inf'))
        return F.max_pool2d(x, self.kernel_size, self.stride)


class DownsampleConv(nn.Module):
    """The projection shortcut of a stage's first block: 1x1 standardised conv + GroupNorm (no activation)."""

    def __init__(self, in_channels: int, out_channels: int, stride: int, num_groups: int) -> None:
        super().__init__()
        self.conv = StdConv2dSame(in_channels, out_channels, 1, stride=stride)
        self.norm = GroupNormReLU(num_groups, out_channels, relu=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(self.conv(x))


class Bottleneck(nn.Module):
    """Non-pre-activation bottleneck (1x1, 3x3 with the stride, 1x1; ``out / 4`` inner channels), ReLU after the sum."""

    def __init__(self, in_channels: int, out_channels: int, stride: int, num_groups: int,
                 downsample: bool) -> None:
        super().__init__()
        mid = out_channels // 4
        self.downsample = DownsampleConv(in_channels, out_channels, stride, num_groups) if downsample else None
        self.conv1 = StdConv2dSame(in_channels, mid, 1)
        self.norm1 = GroupNormReLU(num_groups, mid)
        self.conv2 = StdConv2dSame(mid, mid, 3, stride=stride)
        self.norm2 = GroupNormReLU(num_groups, mid)
        self.conv3 = StdConv2dSame(mid, out_channels, 1)
        self.norm3 = GroupNormReLU(num_groups, out_channels, relu=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = x if self.downsample is None else self.downsample(x)
        x = self.norm1(self.conv1(x))
        x = self.norm2(self.conv2(x))
        x = self.norm3(self.conv3(x))
        return F.relu(x + shortcut)


class ResNetStage(nn.Module):
    """``depth`` bottlenecks; the first one carries the stride and the projection shortcut."""

    def __init__(self, in_channels: int, out_channels: int, stride: int, depth: int, num_groups: int) -> None:
        super().__init__()
        self.blocks = nn.Sequential(*[
            Bottleneck(in_channels if i == 0 else out_channels, out_channels, stride if i == 0 else 1, num_groups,
                       downsample=i == 0) for i in range(depth)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.blocks(x)


class HybridResNet(nn.Module):
    """Stem (7x7/2 conv, 3x3/2 max pool) and ``len(layers)`` stages (strides 1, 2, 2, ...).

    Defaults are the official ViT-hybrid ones: ``layers=(3, 4, 9)``, ``channels=(256, 512, 1024)``, 64 stem
    channels, 32 groups; the output stride is 16. :meth:`forward` returns every stage's output.
    """

    def __init__(self, layers: Sequence[int] = (3, 4, 9), channels: Sequence[int] = (256, 512, 1024),
                 stem_channels: int = 64, num_groups: int = 32, in_channels: int = 3) -> None:
        super().__init__()
        if len(layers) != len(channels) or not layers:
            raise ValueError(f'layers and channels need one entry per stage; got {layers} and {channels}')
        self.channels = tuple(channels)
        self.stem = nn.Sequential(OrderedDict(
            conv=StdConv2dSame(in_channels, stem_channels, 7, stride=2),
            norm=GroupNormReLU(num_groups, stem_channels),
            pool=MaxPool2dSame(3, 2)))
        stages, prev = [], stem_channels
        for i, (depth, out) in enumerate(zip(layers, channels)):
            stages.append(ResNetStage(prev, out, 1 if i == 0 else 2, depth, num_groups))
            prev = out
        self.stages = nn.Sequential(*stages)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = self.stem(x)
        outs = []
        for stage in self.stages:
            x = stage(x)
            outs.append(x)
        return outs


class HybridPatchEmbed(nn.Module):
    """Tokens from the last ResNet stage through a 1x1 projection; the earlier stage outputs are kept.

    Drop-in for mmcv's ``PatchEmbed`` inside mmpretrain's ``VisionTransformer``: returns ``(tokens B x N x C,
    (h, w))``. The outputs of every ResNet stage of the latest call are in :attr:`stage_outputs`, which DPT
    reads as its two fine-scale features.
    """

    def __init__(self, backbone: HybridResNet, embed_dims: int) -> None:
        super().__init__()
        self.backbone = backbone
        self.projection = nn.Conv2d(backbone.channels[-1], embed_dims, kernel_size=1)
        self.stage_outputs: list[torch.Tensor] = []

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, tuple[int, int]]:
        self.stage_outputs = self.backbone(x)
        x = self.projection(self.stage_outputs[-1])
        return x.flatten(2).transpose(1, 2), (x.shape[2], x.shape[3])
