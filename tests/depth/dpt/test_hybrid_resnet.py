import pytest
import torch
import torch.nn.functional as F

from cuts3d.depth.dpt.hybrid_resnet import HybridResNet, MaxPool2dSame, StdConv2dSame, pad_same


@pytest.mark.parametrize('size, total', [(7, 2), (8, 1), (33, 2)])
def test_same_padding_gives_ceil_size_with_the_odd_pixel_bottom_right(size, total):
    x = torch.ones(1, 1, size, size)
    padded = pad_same(x, kernel_size=3, stride=2)
    assert padded.shape[-1] == size + total
    start = total // 2  # TensorFlow puts the smaller half before
    assert padded[..., start:start + size, start:start + size].eq(1).all() and padded.sum() == size * size
    assert F.max_pool2d(padded, 3, 2).shape[-1] == -(-size // 2)


def test_standardised_conv_ignores_the_weight_scale_and_offset():
    torch.manual_seed(0)
    conv = StdConv2dSame(3, 4, 3, stride=2)
    x = torch.randn(1, 3, 9, 9)
    before = conv(x)
    with torch.no_grad():
        conv.weight.mul_(5.0).add_(0.3)
    assert before.shape == (1, 4, 5, 5)
    assert torch.allclose(before, conv(x), atol=1e-5)
    w = conv.weight
    standardised = (w - w.mean((1, 2, 3), keepdim=True)) / torch.sqrt(w.var((1, 2, 3), unbiased=False,
                                                                            keepdim=True) + conv.eps)
    assert torch.allclose(conv(x), F.conv2d(pad_same(x, 3, 2), standardised, stride=2), atol=1e-5)


def test_max_pool_never_selects_padding():
    x = -torch.ones(1, 1, 4, 4)
    assert MaxPool2dSame(3, 2)(x).eq(-1).all()


def test_stages_have_strides_4_8_16():
    net = HybridResNet(layers=(1, 2, 1), channels=(16, 32, 64), stem_channels=8, num_groups=4)
    outs = net(torch.randn(1, 3, 64, 48))
    assert [tuple(o.shape[1:]) for o in outs] == [(16, 16, 12), (32, 8, 6), (64, 4, 3)]
    assert len(net.stages[1].blocks) == 2 and net.stages[1].blocks[1].downsample is None
    with pytest.raises(ValueError, match='one entry per stage'):
        HybridResNet(layers=(1, 1), channels=(16, 32, 64))
