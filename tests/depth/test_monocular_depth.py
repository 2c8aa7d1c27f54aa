import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cuts3d.depth import MonocularDepth, normalize_depth
from cuts3d.depth.dpt import DPTNet
from cuts3d.engine.checkpoint import CheckpointError
from cuts3d.registry import DEPTH_SOURCES, build_component

META = {'img_path': '/data/a.jpg', 'rel_path': 'a.jpg'}


def _image(height=50, width=70, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


@pytest.mark.parametrize('arch_name', ['tiny_dpt', 'tiny_hybrid_dpt'])
def test_random_weights_give_a_valid_depth_map(arch_name, request):
    torch.manual_seed(0)
    # without the head's final ReLU: a random network's non-negative output is often all zero (all "infinitely far")
    arch = {**request.getfixturevalue(arch_name), 'non_negative': False}
    source = build_component(dict(type='MonocularDepth', arch=arch, input_size=64, output='depth',
                                  random_weights=True), DEPTH_SOURCES)
    depth = source(_image(), META)
    assert depth.shape == (50, 70) and depth.dtype == np.float32
    assert np.isfinite(depth).all()
    assert depth.min() == 0.0 and depth.max() == 1.0 and depth.std() > 0


def test_checkpoint_round_trip_reproduces_the_network(tiny_dpt, tmp_path):
    torch.manual_seed(0)
    net = DPTNet(**tiny_dpt)
    with torch.no_grad():
        net.scratch.output_conv[4].bias.fill_(1.0)  # strictly positive inverse depth everywhere
    path = str(tmp_path / 'dpt_tiny.pt')
    torch.save(net.state_dict(), path)
    source = MonocularDepth(tiny_dpt, checkpoint=path, input_size=64)
    assert source.load_report.missing == [] and source.load_report.unexpected == []
    image = _image()
    raw = source.predict(image)
    assert raw.min() > 0 and raw.std() > 0
    net.eval()
    assert source.network_size(50, 70) == (32, 64)
    resized = cv2.resize(image, (64, 32), interpolation=cv2.INTER_CUBIC).astype(np.float32) / 255.0
    tensor = torch.from_numpy((resized - 0.5) / 0.5).permute(2, 0, 1)[None]
    with torch.no_grad():
        expected = F.interpolate(net(tensor)[:, None], size=(50, 70), mode='bilinear', align_corners=False)[0, 0]
    np.testing.assert_allclose(raw, expected.numpy(), rtol=1e-5, atol=1e-6)
    # inverse depth: larger output = nearer; the map is its reciprocal, normalised
    np.testing.assert_array_equal(source(image, META), normalize_depth(raw, inverse=True))
    as_depth = MonocularDepth(tiny_dpt, checkpoint=path, input_size=64, output='depth')
    np.testing.assert_array_equal(as_depth(image, META), normalize_depth(raw))


def test_pickled_checkpoint_is_refused(tiny_dpt, tmp_path):
    path = str(tmp_path / 'model.pt')
    torch.save(DPTNet(**tiny_dpt), path)
    with pytest.raises(CheckpointError, match='pickled'):
        MonocularDepth(tiny_dpt, checkpoint=path)


def test_network_input_keeps_aspect_and_multiples_of_two_patches(tiny_dpt):
    source = MonocularDepth(tiny_dpt, input_size=384, random_weights=True)
    assert source.network_size(500, 741) == (384, 576)
    assert source.network_size(741, 500) == (576, 384)
    assert source.network_size(100, 150) == (256, 384)  # upscaling: the side needing the least scaling
    square = MonocularDepth(tiny_dpt, input_size=100, keep_aspect_ratio=False, random_weights=True)
    assert square.network_size(500, 741) == (96, 96)


def test_bad_settings_and_inputs_are_refused(tiny_dpt):
    with pytest.raises(ValueError, match='checkpoint'):
        MonocularDepth(tiny_dpt)
    with pytest.raises(ValueError, match='output'):
        MonocularDepth(tiny_dpt, output='disparity', random_weights=True)
    with pytest.raises(ValueError, match='uint8'):
        MonocularDepth(tiny_dpt, random_weights=True)(np.zeros((8, 8, 3), dtype=np.float32), META)
