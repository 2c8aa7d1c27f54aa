"""The shared machinery of the ViT feature extractors: the keys of the last attention block as patch features.

CutLER's MaskCut (and CutS3D after it) describes each patch by the *keys* of the ViT's last attention block: the
output of the last block's ``qkv`` linear, its ``k`` third, without the CLS token, heads concatenated
(``docs/reference.md``, "MaskCut"; queries or q/k/v concatenated give worse masks). The network is mmpretrain's
:class:`~mmpretrain.models.backbones.VisionTransformer`, which matches the DINO/MAE/DINOv2 blocks exactly (pre-norm
blocks, qkv bias, LayerNorm eps 1e-6, exact GELU, optional layer scale). Two things it does differently are handled
here: the position embeddings are resized once, at load time, with the release's own interpolation
(:func:`~cuts3d.features.vit_checkpoint.interpolate_pos_embed`) instead of mmpretrain's, and DINOv2's register
tokens, which mmpretrain 1.2.0 does not have, are inserted after the CLS token as DINOv2 does.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import torch
from mmengine.logging import print_log

from ..weights import CheckpointError, load_foreign_weights, timm_vit_to_mmpretrain
from .base import PatchFeatureExtractor
from .vit_checkpoint import LoadResult, interpolate_pos_embed

# Release names -> mmpretrain arch names. DINO's ViT-S is mmpretrain's 'deit-small' (384 wide, 6 heads);
# mmpretrain's 'small' is the 768-wide ViT of the original ViT paper. DINOv2's ViT-g (1536 wide, 40 layers, 24
# heads) is mmpretrain's 'dinov2-giant', built with the SwiGLU feed-forward (ffn_type='swiglu_fused').
MMPRETRAIN_ARCHS = {'vit_small': 'deit-small', 'vit_base': 'base', 'vit_large': 'large', 'vit_giant': 'dinov2-giant'}
FFN_TYPES = ('origin', 'swiglu_fused')


class ViTKeyExtractor(PatchFeatureExtractor):
    """Last-block keys of an mmpretrain ViT loaded from a timm-style release checkpoint.

    Args:
        arch: ``'vit_small'``, ``'vit_base'``, ``'vit_large'`` or ``'vit_giant'``, or an mmpretrain custom arch dict
            (``embed_dims``, ``num_layers``, ``num_heads``, ``feedforward_channels``), e.g. a tiny one for tests.
        patch_size: the ViT's patch size; the feature grid is ``input_size // patch_size``.
        checkpoint: the release's weights: a local path or an ``https://`` URL (downloaded once into the cache and
            verified, see :mod:`cuts3d.weights`). Required unless ``pretrained=False``.
        input_size: ``(H, W)`` every image is resized to (LANCZOS, aspect not kept).
        device: torch device the network runs on.
        num_register_tokens: DINOv2 register tokens; ``None`` takes the count from the checkpoint (0 without one).
        ffn_type: ``'origin'`` (GELU MLP) or ``'swiglu_fused'`` (DINOv2 ViT-g).
        pretrained: ``False`` runs on random weights, for tests and benchmarks only (no checkpoint may be given);
            the pseudo-mask json's ``info`` then says so. A pretrained extractor without a checkpoint is an error
            that names the official URL.

    Subclasses set ``archs`` and ``patch_sizes`` (those of their release), ``pos_embed_offset`` (see
    :func:`interpolate_pos_embed`), ``layer_scale_init_value`` (> 0 builds layer scale, as DINOv2 has), may
    override :meth:`read_state_dict` for the release's file layout, and :meth:`official_weights` to name the
    release's URL in the error a missing checkpoint raises.
    """

    archs: tuple[str, ...] = tuple(MMPRETRAIN_ARCHS)
    patch_sizes: tuple[int, ...] = (8, 14, 16)
    pos_embed_offset: float | None = 0.1
    layer_scale_init_value: float = 0.0

    def __init__(self, arch: str | dict, patch_size: int, checkpoint: str | None = None,
                 input_size: Sequence[int] = (480, 480), device: str = 'cpu',
                 num_register_tokens: int | None = 0, ffn_type: str = 'origin', pretrained: bool = True) -> None:
        if isinstance(arch, str) and arch not in self.archs:
            raise ValueError(f'{type(self).__name__} has no arch {arch!r}; choose from {list(self.archs)} or give '
                             f'an mmpretrain arch dict')
        if patch_size not in self.patch_sizes:
            raise ValueError(f'{type(self).__name__} has no patch size {patch_size}; choose from '
                             f'{list(self.patch_sizes)}')
        if ffn_type not in FFN_TYPES:
            raise ValueError(f'ffn_type must be one of {FFN_TYPES}; got {ffn_type!r}')
        self.patch_size = patch_size
        super().__init__(input_size, device)
        if pretrained and checkpoint is None:
            raise CheckpointError(self.missing_weights_message(arch, patch_size, num_register_tokens))
        if not pretrained and checkpoint is not None:
            raise ValueError(f'{type(self).__name__}: pretrained=False (random weights) contradicts '
                             f'checkpoint={checkpoint!r}; drop one of them')
        from mmpretrain.models.backbones import VisionTransformer  # loads mmdet's models: only when one is built
        self.backbone = VisionTransformer(
            arch=MMPRETRAIN_ARCHS.get(arch, arch) if isinstance(arch, str) else dict(arch),
            img_size=self.input_size, patch_size=patch_size, qkv_bias=True, norm_cfg=dict(type='LN', eps=1e-6),
            out_type='raw', layer_scale_init_value=self.layer_scale_init_value, layer_cfgs=dict(ffn_type=ffn_type))
        self.checkpoint = checkpoint
        self.pretrained = pretrained
        self.register_tokens = self._initial_register_tokens(num_register_tokens or 0)
        self.load_result: LoadResult | None = None
        if checkpoint is None:
            print_log(f'{type(self).__name__}: pretrained=False, running on RANDOM weights (features meaningless '
                      f'for segmentation)', logger='current', level=logging.WARNING)
            self._init_random_embeddings()
        else:
            self.load_result = self.load_checkpoint(checkpoint, num_register_tokens)
        self.backbone.to(self.device)
        self.backbone.eval()  # not chained: mmpretrain 1.2.0's train() returns None
        self.register_tokens = self.register_tokens.to(self.device)

    def official_weights(self, arch: str | dict, patch_size: int, num_register_tokens: int | None) -> str | None:
        """Where the release's weights for this configuration are (a URL), or None when there is no release."""
        return None

    def missing_weights_message(self, arch: str | dict, patch_size: int, num_register_tokens: int | None) -> str:
        """The one-line error for a pretrained extractor built without a checkpoint."""
        where = self.official_weights(arch, patch_size, num_register_tokens)
        hint = (f"checkpoint='{where}' (downloaded once into the cache) or a local copy of it" if where
                else 'checkpoint=<local path or https:// URL of weights for this arch>')
        return (f'{type(self).__name__}(arch={arch!r}, patch_size={patch_size}) needs pretrained weights: set '
                f'{hint}; pretrained=False runs on random weights (tests and benchmarks only)')

    @property
    def embed_dims(self) -> int:
        return self.backbone.embed_dims

    def _initial_register_tokens(self, count: int) -> torch.Tensor:
        """DINOv2 initialises its register tokens from N(0, 1e-6); used as-is only with random weights."""
        return torch.randn(1, count, self.embed_dims) * 1e-6

    def _init_random_embeddings(self) -> None:
        """Truncated-normal (std 0.02) CLS token and position embeddings, as DINO initialises them (mmpretrain
        leaves them zero until ``init_weights``, which logs every parameter); linear layers keep torch's init."""
        torch.nn.init.trunc_normal_(self.backbone.cls_token, std=0.02)
        torch.nn.init.trunc_normal_(self.backbone.pos_embed, std=0.02)

    def read_state_dict(self, path: str) -> dict[str, torch.Tensor]:
        """The release's weights (local path or URL) as a flat timm-style state dict (official DINO files are
        exactly that)."""
        return load_foreign_weights(path)

    def load_checkpoint(self, path: str, num_register_tokens: int | None) -> LoadResult:
        """Load a timm-style checkpoint non-strictly; log missing and unexpected keys; fail if nothing matched."""
        weights = timm_vit_to_mmpretrain(self.read_state_dict(path))
        if 'pos_embed' in weights:
            weights['pos_embed'] = interpolate_pos_embed(weights['pos_embed'], self.grid, self.pos_embed_offset)
        registers = weights.pop('register_tokens', None)
        if registers is not None:
            if registers.ndim != 3 or registers.shape[2] != self.embed_dims:
                raise CheckpointError(f'{path}: register_tokens of shape {tuple(registers.shape)} do not fit '
                                      f'embed_dims={self.embed_dims}')
            if num_register_tokens is not None and registers.shape[1] != num_register_tokens:
                raise CheckpointError(f'{path} has {registers.shape[1]} register tokens, but the extractor is '
                                      f'configured with num_register_tokens={num_register_tokens}')
            self.register_tokens = registers.detach().float()
        try:
            result = self.backbone.load_state_dict(weights, strict=False)
        except RuntimeError as err:  # shape mismatches: the wrong arch or patch size for this file
            raise CheckpointError(f'{path} does not fit {type(self).__name__} (arch or patch size differ?): '
                                  f'{err}') from err
        result = LoadResult(list(result.missing_keys), list(result.unexpected_keys))
        if self.register_tokens.shape[1] and registers is None:
            result.missing_keys.append('register_tokens')
        matched = len(weights) - len(result.unexpected_keys) + (registers is not None)
        if matched == 0:
            raise CheckpointError(f'no weight in {path} matches {type(self).__name__}; its keys start with '
                                  f'{sorted(weights)[:5]}')
        print_log(f'{type(self).__name__}: loaded {matched} tensors from {path}', logger='current')
        if result.missing_keys:
            print_log(f'{type(self).__name__}: missing keys (left at random init): {result.missing_keys}',
                      logger='current', level=logging.WARNING)
        if result.unexpected_keys:
            print_log(f'{type(self).__name__}: unexpected keys (ignored): {result.unexpected_keys}',
                      logger='current', level=logging.WARNING)
        return result

    def last_block_qkv(self, image: torch.Tensor) -> torch.Tensor:
        """Output of the last block's ``qkv`` linear, ``B x (1 + registers + h*w) x 3C``.

        The tokens go through patch embedding, CLS token, position embeddings (already at this grid), register
        tokens, and every block but the last; the last block is only run up to its ``qkv`` linear.
        """
        vit = self.backbone
        tokens, _ = vit.patch_embed(image)
        cls = vit.cls_token.expand(tokens.shape[0], -1, -1)
        tokens = torch.cat((cls, tokens), dim=1) + vit.pos_embed
        registers = self.register_tokens.expand(tokens.shape[0], -1, -1)
        tokens = torch.cat((tokens[:, :1], registers, tokens[:, 1:]), dim=1)
        tokens = vit.pre_norm(vit.drop_after_pos(tokens))
        for layer in vit.layers[:-1]:
            tokens = layer(tokens)
        last = vit.layers[-1]
        return last.attn.qkv(last.ln1(tokens))

    def extract(self, resized: np.ndarray) -> torch.Tensor:
        """Keys of the last attention block: the ``k`` third of its qkv output, CLS (and register) tokens dropped,
        heads concatenated, as ``C x h x w``.

        CutLER gets the same tensor from a forward hook on the last ``qkv`` linear during a full forward; running
        the last block only up to that linear gives it without the hook's state and skips one block's attention
        and MLP (tests/features/test_vit_keys.py checks the two agree).
        """
        return self._keys(self.last_block_qkv(self.to_tensor(resized))[0])

    def extract_batch(self, resized: Sequence[np.ndarray]) -> list[torch.Tensor]:
        """:meth:`extract` of several images in one forward pass."""
        return [self._keys(qkv) for qkv in self.last_block_qkv(self.to_batch_tensor(resized))]

    def _keys(self, qkv: torch.Tensor) -> torch.Tensor:
        """One image's ``(1 + registers + h*w) x 3C`` qkv output -> its keys ``C x h x w``."""
        dims = self.embed_dims
        keys = qkv[1 + self.register_tokens.shape[1]:, dims:2 * dims]
        return keys.transpose(0, 1).reshape(dims, *self.grid)
