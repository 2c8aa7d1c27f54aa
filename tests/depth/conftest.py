"""Tiny DPT architectures shared by the depth tests (small dims: a forward pass takes milliseconds on CPU)."""
import pytest

TINY_VIT = dict(embed_dims=32, num_layers=4, num_heads=2, feedforward_channels=64)


@pytest.fixture
def tiny_dpt() -> dict:
    """A plain-ViT DPT: 4 layers of width 32, every layer tapped."""
    return dict(vit_arch=dict(TINY_VIT), hooks=(0, 1, 2, 3), reassemble_channels=(8, 16, 32, 32), img_size=64,
                patch_size=16, features=16, head_channels=8)


@pytest.fixture
def tiny_hybrid_dpt() -> dict:
    """A DPT-Hybrid: a 3-stage ResNet (one block each) under the same tiny ViT."""
    return dict(vit_arch=dict(TINY_VIT), hooks=(2, 3), reassemble_channels=(32, 32), img_size=64, patch_size=16,
                features=16, head_channels=8,
                hybrid=dict(layers=(1, 1, 1), channels=(16, 32, 64), stem_channels=8, num_groups=4))
