import logging

import pytest
import torch

from cuts3d.depth.dpt import DPTNet, load_dpt_weights, midas_to_native, native_to_midas
from cuts3d.engine.checkpoint import CheckpointError


def _net(arch, seed):
    torch.manual_seed(seed)
    net = DPTNet(**arch, non_negative=False)  # random weights often give all-zero output after the final ReLU
    net.eval()
    return net


def _same_output(a, b):
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        return torch.allclose(a(x), b(x))


def test_key_mapping_is_a_bijection_onto_the_official_names(tiny_hybrid_dpt):
    native = _net(tiny_hybrid_dpt, 0).state_dict()
    official = native_to_midas(native)
    assert midas_to_native(official).keys() == native.keys()
    assert 'pretrained.model.blocks.3.mlp.fc1.weight' in official
    assert 'pretrained.model.layers.3.ffn.layers.0.0.weight' in native
    assert 'pretrained.model.patch_embed.proj.weight' in official
    assert [k for k in official if k.startswith('pretrained.model.patch_embed.backbone.')] == \
        [k for k in native if k.startswith('pretrained.model.patch_embed.backbone.')]


@pytest.mark.parametrize('arch_name', ['tiny_dpt', 'tiny_hybrid_dpt'])
def test_official_layout_round_trip_loads_every_key(arch_name, request, tmp_path):
    arch = request.getfixturevalue(arch_name)
    source, target = _net(arch, 0), _net(arch, 1)
    official = native_to_midas(source.state_dict())
    official['pretrained.model.norm.weight'] = torch.ones(32)  # in official files, unused by DPT
    official['pretrained.model.head.weight'] = torch.zeros(1000, 32)
    path = str(tmp_path / 'dpt.pt')
    torch.save({'model': official, 'optimizer': {'state': {}, 'param_groups': []}}, path)  # MiDaS's wrapper
    assert not _same_output(source, target)
    report = load_dpt_weights(target, path)
    assert report.missing == [] and report.unexpected == []
    assert report.ignored == ['pretrained.model.head.weight', 'pretrained.model.norm.weight']
    assert _same_output(source, target)


def test_native_layout_and_dataparallel_prefix(tiny_dpt, tmp_path):
    source, target = _net(tiny_dpt, 0), _net(tiny_dpt, 1)
    path = str(tmp_path / 'native.pth')
    torch.save({'state_dict': {'module.' + k: v for k, v in source.state_dict().items()}}, path)
    assert load_dpt_weights(target, path).missing == []
    assert _same_output(source, target)


def test_missing_and_unexpected_keys_are_reported(tiny_dpt, tmp_path, caplog):
    state = native_to_midas(_net(tiny_dpt, 0).state_dict())
    del state['scratch.output_conv.4.bias']
    state['scratch.extra.weight'] = torch.zeros(1)
    path = str(tmp_path / 'partial.pt')
    torch.save(state, path)
    with caplog.at_level(logging.WARNING):
        report = load_dpt_weights(_net(tiny_dpt, 1), path)
    assert report.missing == ['scratch.output_conv.4.bias']
    assert report.unexpected == ['scratch.extra.weight']
    assert 'scratch.output_conv.4.bias' in caplog.text and 'scratch.extra.weight' in caplog.text


def test_pickled_objects_are_refused(tiny_dpt, tmp_path):
    path = str(tmp_path / 'whole_model.pt')
    torch.save(_net(tiny_dpt, 0), path)  # a pickled nn.Module, not a state dict
    with pytest.raises(CheckpointError, match='pickled'):
        load_dpt_weights(_net(tiny_dpt, 1), path)


def test_foreign_or_mismatched_checkpoints_are_refused(tiny_dpt, tmp_path):
    path = str(tmp_path / 'resnet.pt')
    torch.save({'conv1.weight': torch.zeros(1)}, path)
    with pytest.raises(CheckpointError, match='none of its'):
        load_dpt_weights(_net(tiny_dpt, 0), path)
    wider = DPTNet(**{**tiny_dpt, 'features': 24}, non_negative=False)
    torch.save(wider.state_dict(), path)
    with pytest.raises(CheckpointError, match='arch'):
        load_dpt_weights(_net(tiny_dpt, 0), path)
