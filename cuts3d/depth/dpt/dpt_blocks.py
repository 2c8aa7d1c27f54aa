"""The convolutional parts of DPT (Ranftl et al., "Vision Transformers for Dense Prediction", ICCV 2021).

Reassemble (tokens -> image-like feature maps at four scales), fusion (RefineNet-style residual units, upsampling)
and the monocular-depth head. Parameter names follow MiDaS v3 (``act_postprocessN.{0,3,4}``,
``resConfUnit1/2.conv1/2``, ``out_conv``, ``output_conv.{0,2,4}``) so that official checkpoints load without
renaming these parts.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

READOUTS = ('ignore', 'add', 'project')


class Readout(nn.Module):
    """How the class token enters the patch tokens (DPT sec. 3, "Reassemble"): ``ignore`` drops it, ``add`` adds
    it to every token, ``project`` concatenates it to every token and applies Linear + GELU (``project.0``)."""

    def __init__(self, mode: str, embed_dims: int) -> None:
        super().__init__()
        if mode not in READOUTS:
            raise ValueError(f'unknown readout {mode!r}; choose from {READOUTS}')
        self.mode = mode
        if mode == 'project':
            self.project = nn.Sequential(nn.Linear(2 * embed_dims, embed_dims), nn.GELU())

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        cls_token, patches = tokens[:, :1], tokens[:, 1:]
        if self.mode == 'ignore':
            return patches
        if self.mode == 'add':
            return patches + cls_token
        return self.project(torch.cat([patches, cls_token.expand_as(patches)], dim=-1))


class Reassemble(nn.Module):
    """Tokens ``B x (1 + h*w) x C`` -> map ``B x channels x (h*scale) x (w*scale)`` (DPT's Reassemble_s).

    ``scale`` is 4 or 2 (transposed convolution), 1 (none) or 0.5 (3x3 stride-2 convolution). Sub-modules are
    registered as ``'0'`` (readout), ``'3'`` (1x1 projection) and ``'4'`` (resampling): their indices in MiDaS's
    ``act_postprocessN`` ``nn.Sequential``, whose positions 1-2 hold parameter-free reshapes.
    """

    def __init__(self, readout: str, embed_dims: int, channels: int, scale: float) -> None:
        super().__init__()
        self.add_module('0', Readout(readout, embed_dims))
        self.add_module('3', nn.Conv2d(embed_dims, channels, kernel_size=1))
        if scale in (4, 2):
            self.add_module('4', nn.ConvTranspose2d(channels, channels, kernel_size=int(scale), stride=int(scale)))
        elif scale == 0.5:
            self.add_module('4', nn.Conv2d(channels, channels, kernel_size=3, stride=2, padding=1))
        elif scale != 1:
            raise ValueError(f'Reassemble scale must be 4, 2, 1 or 0.5; got {scale}')

    def forward(self, tokens: torch.Tensor, grid: tuple[int, int]) -> torch.Tensor:
        x = self._modules['0'](tokens)
        x = x.transpose(1, 2).unflatten(2, grid)
        x = self._modules['3'](x)
        resample = self._modules.get('4')
        return x if resample is None else resample(x)


class ResidualConvUnit(nn.Module):
    """ReLU, 3x3 conv, ReLU, 3x3 conv, plus the input (MiDaS ``ResidualConvUnit_custom`` without BatchNorm)."""

    def __init__(self, features: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(features, features, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(features, features, kernel_size=3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv2(F.relu(self.conv1(F.relu(x))))


class FusionBlock(nn.Module):
    """DPT fusion: add the residual-refined skip feature, refine, upsample (bilinear, align_corners), 1x1 conv.

    Upsamples to ``size`` when given (the next finer feature's size, as MiDaS v3.1 does), else by 2.
    """

    def __init__(self, features: int) -> None:
        super().__init__()
        self.resConfUnit1 = ResidualConvUnit(features)
        self.resConfUnit2 = ResidualConvUnit(features)
        self.out_conv = nn.Conv2d(features, features, kernel_size=1)

    def forward(self, x: torch.Tensor, skip: torch.Tensor | None = None,
                size: tuple[int, int] | None = None) -> torch.Tensor:
        if skip is not None:
            x = x + self.resConfUnit1(skip)
        x = self.resConfUnit2(x)
        if size is None:
            x = F.interpolate(x, scale_factor=2, mode='bilinear', align_corners=True)
        else:
            x = F.interpolate(x, size=size, mode='bilinear', align_corners=True)
        return self.out_conv(x)


def depth_head(features: int, head_channels: int = 32, non_negative: bool = True) -> nn.Sequential:
    """MiDaS's ``DPTDepthModel`` head: 3x3 conv to ``features / 2``, upsample x2, 3x3 conv, ReLU, 1x1 conv to one
    channel, ReLU (non-negative inverse depth), at the same ``nn.Sequential`` indices as MiDaS."""
    return nn.Sequential(
        nn.Conv2d(features, features // 2, kernel_size=3, padding=1),
        nn.Upsample(scale_factor=2, mode='bilinear', align_corners=True),
        nn.Conv2d(features // 2, head_channels, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.Conv2d(head_channels, 1, kernel_size=1),
        nn.ReLU() if non_negative else nn.Identity(),
    )
