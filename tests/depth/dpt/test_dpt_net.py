import pytest
import torch

from cuts3d.depth.dpt import DPTNet, build_dpt, native_to_midas


@pytest.mark.parametrize('readout', ['project', 'add', 'ignore'])
def test_plain_dpt_predicts_non_negative_inverse_depth_at_input_size(tiny_dpt, readout):
    torch.manual_seed(0)
    net = DPTNet(**tiny_dpt, readout=readout)
    net.eval()
    with torch.no_grad():
        out = net(torch.randn(2, 3, 64, 96))
    assert out.shape == (2, 64, 96)
    assert (out >= 0).all()


def test_hybrid_dpt_uses_resnet_stages_as_fine_features(tiny_hybrid_dpt):
    torch.manual_seed(0)
    net = DPTNet(**tiny_hybrid_dpt)
    net.eval()
    x = torch.randn(1, 3, 96, 64)
    with torch.no_grad():
        features = net.pretrained(x)
        out = net(x)
    assert [tuple(f.shape[1:]) for f in features] == [(16, 24, 16), (32, 12, 8), (32, 6, 4), (32, 3, 2)]
    assert out.shape == (1, 96, 64)
    assert not hasattr(net.pretrained, 'act_postprocess1')  # MiDaS: identities, no parameters


def test_configuration_errors_are_specific(tiny_dpt, tiny_hybrid_dpt):
    with pytest.raises(ValueError, match='hooks'):
        DPTNet(**{**tiny_dpt, 'hooks': (0, 1)})
    with pytest.raises(ValueError, match=r'\[0, 4\)'):
        DPTNet(**{**tiny_dpt, 'hooks': (0, 1, 2, 4)})
    with pytest.raises(ValueError, match='output stride'):
        DPTNet(**{**tiny_hybrid_dpt, 'patch_size': 8})
    with pytest.raises(ValueError, match='readout'):
        DPTNet(**tiny_dpt, readout='mean')
    with pytest.raises(ValueError, match='multiple of the patch size'):
        DPTNet(**tiny_dpt)(torch.zeros(1, 3, 40, 64))
    with pytest.raises(ValueError, match='presets'):
        build_dpt('dpt_huge')


def _official_shapes(arch):
    with torch.device('meta'):  # no memory, no init cost: only names and shapes
        net = build_dpt(arch)
    return {k: tuple(v.shape) for k, v in native_to_midas(net.state_dict()).items()}


def test_dpt_large_has_the_official_midas_layout():
    shapes = _official_shapes('dpt_large')
    expected = {
        'pretrained.model.cls_token': (1, 1, 1024),
        'pretrained.model.pos_embed': (1, 577, 1024),
        'pretrained.model.patch_embed.proj.weight': (1024, 3, 16, 16),
        'pretrained.model.blocks.23.attn.qkv.weight': (3072, 1024),
        'pretrained.model.blocks.23.mlp.fc1.weight': (4096, 1024),
        'pretrained.model.blocks.23.mlp.fc2.bias': (1024,),
        'pretrained.model.blocks.0.norm1.weight': (1024,),
        'pretrained.act_postprocess1.0.project.0.weight': (1024, 2048),
        'pretrained.act_postprocess1.3.weight': (256, 1024, 1, 1),
        'pretrained.act_postprocess1.4.weight': (256, 256, 4, 4),
        'pretrained.act_postprocess2.4.weight': (512, 512, 2, 2),
        'pretrained.act_postprocess4.4.weight': (1024, 1024, 3, 3),
        'scratch.layer4_rn.weight': (256, 1024, 3, 3),
        'scratch.refinenet4.resConfUnit1.conv1.weight': (256, 256, 3, 3),
        'scratch.refinenet1.out_conv.weight': (256, 256, 1, 1),
        'scratch.output_conv.0.weight': (128, 256, 3, 3),
        'scratch.output_conv.2.weight': (32, 128, 3, 3),
        'scratch.output_conv.4.weight': (1, 32, 1, 1),
    }
    assert {k: shapes.get(k) for k in expected} == expected
    assert 'pretrained.act_postprocess3.4.weight' not in shapes
    assert not any(k.startswith('pretrained.model.layers.') for k in shapes)


def test_dpt_hybrid_has_the_official_midas_layout():
    shapes = _official_shapes('dpt_hybrid')
    backbone = 'pretrained.model.patch_embed.backbone.'
    expected = {
        backbone + 'stem.conv.weight': (64, 3, 7, 7),
        backbone + 'stem.norm.weight': (64,),
        backbone + 'stages.0.blocks.0.downsample.conv.weight': (256, 64, 1, 1),
        backbone + 'stages.0.blocks.0.downsample.norm.bias': (256,),
        backbone + 'stages.1.blocks.3.conv2.weight': (128, 128, 3, 3),
        backbone + 'stages.2.blocks.8.conv3.weight': (1024, 256, 1, 1),
        backbone + 'stages.2.blocks.8.norm3.weight': (1024,),
        'pretrained.model.patch_embed.proj.weight': (768, 1024, 1, 1),
        'pretrained.model.pos_embed': (1, 577, 768),
        'pretrained.model.blocks.11.mlp.fc2.weight': (768, 3072),
        'pretrained.act_postprocess3.3.weight': (768, 768, 1, 1),
        'pretrained.act_postprocess4.4.weight': (768, 768, 3, 3),
        'scratch.layer1_rn.weight': (256, 256, 3, 3),
        'scratch.layer2_rn.weight': (256, 512, 3, 3),
        'scratch.layer3_rn.weight': (256, 768, 3, 3),
    }
    assert {k: shapes.get(k) for k in expected} == expected
    assert not any(k.startswith(('pretrained.act_postprocess1', 'pretrained.act_postprocess2')) for k in shapes)
    assert f'{backbone}stages.2.blocks.9.conv1.weight' not in shapes  # (3, 4, 9) blocks
