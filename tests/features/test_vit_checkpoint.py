"""Position-embedding resizing of cuts3d/features/vit_checkpoint.py."""
import pytest
import torch
from mmpretrain.models.utils import resize_pos_embed

from cuts3d.features.vit_checkpoint import interpolate_pos_embed
from cuts3d.weights import CheckpointError


def test_pos_embed_unchanged_when_the_grid_matches():
    pos = torch.randn(1, 1 + 16, 8)
    assert interpolate_pos_embed(pos, (4, 4)) is pos


@pytest.mark.parametrize('grid', [(6, 6), (3, 7), (60, 60)])
def test_pos_embed_without_offset_equals_mmpretrain_resize(grid):
    pos = torch.randn(1, 1 + 28 * 28, 8)
    ours = interpolate_pos_embed(pos, grid, offset=None)
    assert torch.allclose(ours, resize_pos_embed(pos, (28, 28), grid, mode='bicubic'), atol=1e-6)


def test_dino_offset_changes_sampling_slightly_but_keeps_cls():
    rows, cols = torch.meshgrid(torch.linspace(0, 3, 28), torch.linspace(0, 3, 28), indexing='ij')
    smooth = torch.stack([torch.sin(rows * (c + 1)) * torch.cos(cols) for c in range(8)], dim=-1)
    pos = torch.cat([torch.ones(1, 1, 8), smooth.reshape(1, -1, 8)], dim=1)  # smooth, like trained embeddings
    dino = interpolate_pos_embed(pos, (60, 45), offset=0.1)
    by_size = interpolate_pos_embed(pos, (60, 45), offset=None)
    assert dino.shape == (1, 1 + 60 * 45, 8)
    assert torch.equal(dino[:, 0], pos[:, 0])
    assert 0 < (dino - by_size).abs().max().item() < 0.1


def test_non_square_checkpoint_grid_is_refused():
    with pytest.raises(CheckpointError, match='square'):
        interpolate_pos_embed(torch.zeros(1, 1 + 12, 4), (4, 4))
