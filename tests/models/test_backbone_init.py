"""The detector backbone loads a torchvision-layout checkpoint (DINO ResNet-50's official layout) by config."""
import torch
import torchvision
from mmengine.registry import init_default_scope

from cuts3d.registry import MODELS


def test_resnet_backbone_loads_torchvision_keys_through_pretrained_init(tmp_path):
    # DINO's dino_resnet50_pretrain.pth is a torchvision ResNet state_dict without the fc layer; ResNet-18 has the
    # same key layout and keeps the test small.
    torch.manual_seed(0)
    reference = torchvision.models.resnet18().state_dict()
    reference = {k: v for k, v in reference.items() if not k.startswith('fc.')}
    path = tmp_path / 'dino_resnet_pretrain.pth'
    torch.save(reference, path)
    init_default_scope('cuts3d')
    backbone = MODELS.build(dict(type='ResNet', depth=18, norm_cfg=dict(type='BN', requires_grad=True),
                                 init_cfg=dict(type='Pretrained', checkpoint=str(path))))
    backbone.init_weights()
    state = backbone.state_dict()
    for key in ('conv1.weight', 'bn1.running_mean', 'layer1.0.conv1.weight', 'layer4.1.bn2.weight'):
        assert torch.equal(state[key], reference[key]), key
