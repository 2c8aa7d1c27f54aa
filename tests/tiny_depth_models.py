"""Tiny random-weight models of each depth family, built from config objects and saved with ``save_pretrained``.

ZoeDepth (BEiT backbone), Depth Anything V2 (DINOv2 backbone), MiDaS DPT (ViT) from ``transformers`` and Marigold
(UNet, VAE, CLIP text encoder, DDIM) from ``diffusers``: a few hundred thousand parameters each, so a forward pass
takes milliseconds. Their outputs mean nothing; they exercise loading by directory, preprocessing, batching and
post-processing exactly as the released models would.
"""
from __future__ import annotations

import json
import os

import torch


def save_zoedepth(directory: str) -> str:
    from transformers import BeitConfig, ZoeDepthConfig, ZoeDepthForDepthEstimation, ZoeDepthImageProcessor

    beit = BeitConfig(image_size=64, patch_size=16, hidden_size=32, num_hidden_layers=4, num_attention_heads=2,
                      intermediate_size=64, out_indices=[1, 2, 3, 4], use_relative_position_bias=True,
                      reshape_hidden_states=False)
    config = ZoeDepthConfig(backbone_config=beit, neck_hidden_sizes=[8, 16, 32, 32], fusion_hidden_size=16,
                            reassemble_factors=[4, 2, 1, 0.5], bottleneck_features=16, num_relative_features=8,
                            bin_embedding_dim=16, num_attractors=[4, 4, 4, 4], hidden_size=32, patch_size=16,
                            backbone_hidden_size=32,
                            bin_configurations=[{'n_bins': 8, 'min_depth': 0.001, 'max_depth': 10.0, 'name': 'nyu'}])
    torch.manual_seed(0)
    ZoeDepthForDepthEstimation(config).save_pretrained(directory)
    ZoeDepthImageProcessor(size={'height': 64, 'width': 64}, ensure_multiple_of=16).save_pretrained(directory)
    return directory


def save_depth_anything(directory: str) -> str:
    from transformers import DepthAnythingConfig, DepthAnythingForDepthEstimation, Dinov2Config, DPTImageProcessor

    dinov2 = Dinov2Config(image_size=28, patch_size=14, hidden_size=32, num_hidden_layers=4, num_attention_heads=2,
                          mlp_ratio=2, out_features=['stage1', 'stage2', 'stage3', 'stage4'],
                          reshape_hidden_states=False, apply_layernorm=True)
    config = DepthAnythingConfig(backbone_config=dinov2, reassemble_hidden_size=32, patch_size=14,
                                 neck_hidden_sizes=[8, 16, 32, 32], fusion_hidden_size=16, head_hidden_size=8,
                                 depth_estimation_type='relative')
    torch.manual_seed(0)
    DepthAnythingForDepthEstimation(config).save_pretrained(directory)
    DPTImageProcessor(size={'height': 28, 'width': 28}, keep_aspect_ratio=True, ensure_multiple_of=14,
                      image_mean=[0.485, 0.456, 0.406], image_std=[0.229, 0.224, 0.225]).save_pretrained(directory)
    return directory


def save_dpt(directory: str) -> str:
    from transformers import DPTConfig, DPTForDepthEstimation, DPTImageProcessor

    config = DPTConfig(image_size=32, patch_size=16, hidden_size=32, num_hidden_layers=4, num_attention_heads=2,
                       intermediate_size=64, backbone_out_indices=[0, 1, 2, 3], neck_hidden_sizes=[8, 16, 32, 32],
                       fusion_hidden_size=16, readout_type='project')
    torch.manual_seed(0)
    DPTForDepthEstimation(config).save_pretrained(directory)
    DPTImageProcessor(size={'height': 32, 'width': 32}, keep_aspect_ratio=False).save_pretrained(directory)
    return directory


def save_marigold(directory: str) -> str:
    """A MarigoldDepthPipeline whose CLIP tokenizer knows only its two special tokens (Marigold encodes '')."""
    from diffusers import AutoencoderKL, DDIMScheduler, MarigoldDepthPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    vocab_dir = os.path.join(directory, '_vocab')
    os.makedirs(vocab_dir, exist_ok=True)
    with open(os.path.join(vocab_dir, 'vocab.json'), 'w', encoding='utf-8') as handle:
        json.dump({'<|startoftext|>': 0, '<|endoftext|>': 1, '!': 2}, handle)
    with open(os.path.join(vocab_dir, 'merges.txt'), 'w', encoding='utf-8') as handle:
        handle.write('#version: 0.2\n')
    tokenizer = CLIPTokenizer(os.path.join(vocab_dir, 'vocab.json'), os.path.join(vocab_dir, 'merges.txt'),
                              model_max_length=8)
    torch.manual_seed(0)
    unet = UNet2DConditionModel(block_out_channels=(8, 16), layers_per_block=1, sample_size=8, in_channels=8,
                                out_channels=4, down_block_types=('DownBlock2D', 'CrossAttnDownBlock2D'),
                                up_block_types=('CrossAttnUpBlock2D', 'UpBlock2D'), cross_attention_dim=16,
                                norm_num_groups=4, attention_head_dim=2)
    vae = AutoencoderKL(block_out_channels=(8, 16), down_block_types=('DownEncoderBlock2D',) * 2,
                        up_block_types=('UpDecoderBlock2D',) * 2, latent_channels=4, norm_num_groups=4,
                        sample_size=16)
    text_encoder = CLIPTextModel(CLIPTextConfig(vocab_size=3, hidden_size=16, intermediate_size=32,
                                                num_hidden_layers=1, num_attention_heads=2,
                                                max_position_embeddings=8, bos_token_id=0, eos_token_id=1,
                                                pad_token_id=1))
    scheduler = DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule='scaled_linear', clip_sample=False,
                              set_alpha_to_one=False, steps_offset=1, prediction_type='v_prediction',
                              timestep_spacing='trailing')
    pipeline = MarigoldDepthPipeline(unet=unet, vae=vae, scheduler=scheduler, text_encoder=text_encoder,
                                     tokenizer=tokenizer, prediction_type='depth', scale_invariant=True,
                                     shift_invariant=True, default_denoising_steps=2,
                                     default_processing_resolution=32)
    pipeline.save_pretrained(directory)
    return directory


SAVERS = {'ZoeDepth': save_zoedepth, 'DepthAnythingV2': save_depth_anything, 'DPTDepth': save_dpt,
          'MarigoldDepth': save_marigold}


def save_all(root: str) -> dict[str, str]:
    """Every family under ``root/<source type>``; returns ``{source type: directory}``."""
    return {name: save(os.path.join(root, name)) for name, save in SAVERS.items()}
