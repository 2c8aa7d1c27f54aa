"""The method configs name official weights, and each builds its component end to end from its URL.

``CUTS3D_WEIGHTS_MIRROR`` points the official URLs at a loopback server that serves files in the releases' key
layouts (tiny architectures, set with the config overrides a user would use), so the config's own URL is what is
downloaded, verified, cached and loaded.
"""
import importlib.util
import io
import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
import torch
import torchvision
from mmengine.config import Config
from mmengine.registry import init_default_scope
from PIL import Image

from cuts3d.registry import FEATURE_EXTRACTORS, MODELS, build_component
from cuts3d.weights import OFFICIAL_WEIGHTS

ROOT = Path(__file__).resolve().parents[2]
TINY_ARCH = dict(embed_dims=32, num_layers=2, num_heads=4, feedforward_channels=64)


def official_vit_bytes(patch_size: int = 8, wrap_in_model: bool = False) -> bytes:
    """A tiny ViT under the DINO/MAE release names (timm style), flat or under 'model' as MAE ships it."""
    gen = torch.Generator().manual_seed(0)
    dims, hidden = TINY_ARCH['embed_dims'], TINY_ARCH['feedforward_channels']
    weights = {'cls_token': torch.randn(1, 1, dims, generator=gen),
               'pos_embed': torch.randn(1, 1 + 4, dims, generator=gen),
               'patch_embed.proj.weight': torch.randn(dims, 3, patch_size, patch_size, generator=gen),
               'patch_embed.proj.bias': torch.zeros(dims),
               'norm.weight': torch.ones(dims), 'norm.bias': torch.zeros(dims)}
    for i in range(TINY_ARCH['num_layers']):
        for name, shape in (('norm1', (dims,)), ('norm2', (dims,)), ('attn.qkv', (3 * dims, dims)),
                            ('attn.proj', (dims, dims)), ('mlp.fc1', (hidden, dims)), ('mlp.fc2', (dims, hidden))):
            weights[f'blocks.{i}.{name}.weight'] = torch.randn(*shape, generator=gen) * 0.1 + (len(shape) == 1)
            weights[f'blocks.{i}.{name}.bias'] = torch.zeros(shape[0])
    buffer = io.BytesIO()
    torch.save({'model': weights} if wrap_in_model else weights, buffer)
    return buffer.getvalue()


def serve_official(server, url: str, body: bytes) -> None:
    server.add(url.removeprefix('https://'), body)


@pytest.fixture
def mirror(weights_server, monkeypatch):
    monkeypatch.setenv('CUTS3D_WEIGHTS_MIRROR', weights_server.base)
    return weights_server


def test_every_config_url_is_an_official_release_listed_in_the_readme():
    urls = set()
    for path in (ROOT / 'configs').rglob('*.py'):
        urls.update(re.findall(r"https://[^'\"\s]+", path.read_text()))
    assert urls and urls <= set(OFFICIAL_WEIGHTS.values()), urls - set(OFFICIAL_WEIGHTS.values())
    readme = (ROOT / 'README.md').read_text()
    assert [url for url in OFFICIAL_WEIGHTS.values() if url not in readme] == []


def test_dino_config_builds_its_extractor_from_the_official_url(mirror, weights_cache):
    cfg = Config.fromfile(str(ROOT / 'configs' / 'cuts3d' / 'dino_in1k.py'))
    extractor_cfg = cfg.pseudo_mask_generator.feature_extractor
    url = extractor_cfg.checkpoint
    assert url == OFFICIAL_WEIGHTS['dino_vitb8']
    serve_official(mirror, url, official_vit_bytes())
    extractor_cfg.update(arch=TINY_ARCH, input_size=(16, 16))
    for _ in range(2):
        extractor = build_component(extractor_cfg.to_dict(), FEATURE_EXTRACTORS)
        assert extractor.load_result.missing_keys == [] and extractor.load_result.unexpected_keys == []
    assert mirror.requests == ['/dl.fbaipublicfiles.com/dino/dino_vitbase8_pretrain/dino_vitbase8_pretrain.pth']
    assert os.path.isfile(os.path.join(weights_cache, 'checkpoints', 'dino_vitbase8_pretrain.pth'))


def test_mae_config_builds_from_the_official_nested_layout(mirror):
    cfg = Config.fromfile(str(ROOT / 'configs' / 'engstler' / 'mae_multik_solov2_coco.py'))
    extractor_cfg = cfg.pseudo_mask_generator.feature_extractor
    serve_official(mirror, extractor_cfg.checkpoint, official_vit_bytes(16, wrap_in_model=True))
    arch = dict(TINY_ARCH)
    extractor_cfg.update(arch=arch, input_size=(32, 32))
    extractor = build_component(extractor_cfg.to_dict(), FEATURE_EXTRACTORS)
    assert extractor.load_result.missing_keys == [] and mirror.requests == [
        '/dl.fbaipublicfiles.com/mae/pretrain/mae_pretrain_vit_base.pth']


def test_detector_backbone_init_cfg_loads_the_official_dino_resnet_url(mirror):
    """The CutLER detector's Pretrained init_cfg names DINO's ResNet-50 URL; a ResNet-18 in the same torchvision
    key layout keeps the test small."""
    cfg = Config.fromfile(str(ROOT / 'configs' / 'cutler' / 'cascade_mask_rcnn_r50_in1k.py'))
    backbone_cfg = cfg.model.backbone
    assert backbone_cfg.init_cfg.checkpoint == OFFICIAL_WEIGHTS['dino_resnet50']
    torch.manual_seed(0)
    reference = {k: v for k, v in torchvision.models.resnet18().state_dict().items() if not k.startswith('fc.')}
    buffer = io.BytesIO()
    torch.save(reference, buffer)
    serve_official(mirror, backbone_cfg.init_cfg.checkpoint, buffer.getvalue())
    backbone_cfg.update(depth=18, norm_cfg=dict(type='BN', requires_grad=True))
    init_default_scope('cuts3d')
    backbone = MODELS.build(backbone_cfg)
    backbone.init_weights()
    state = backbone.state_dict()
    for key in ('conv1.weight', 'bn1.running_mean', 'layer1.0.conv1.weight', 'layer4.1.bn2.weight'):
        assert torch.equal(state[key], reference[key]), key
    assert mirror.requests == ['/dl.fbaipublicfiles.com/dino/dino_resnet50_pretrain/dino_resnet50_pretrain.pth']


def test_newcomer_command_fetches_dino_and_runs_zoedepth(mirror, tiny_depth_models, tmp_path):
    """README's first command, `extract_pseudo_masks.py configs/cuts3d/dino_in1k.py --images DIR --out masks.json`,
    with DINO fetched from its URL (mirrored here) and ZoeDepth from a local directory (the hub is unreachable)."""
    serve_official(mirror, OFFICIAL_WEIGHTS['dino_vitb8'], official_vit_bytes())
    images = tmp_path / 'imgs'
    images.mkdir()
    rng = np.random.default_rng(0)
    for i in range(2):
        Image.fromarray(rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)).save(images / f'{i}.png')
    config = tmp_path / 'dino_in1k_tiny.py'  # only the architecture is made tiny; the URL is the config's own
    config.write_text(f"_base_ = [{str(ROOT / 'configs' / 'cuts3d' / 'dino_in1k.py')!r}]\n"
                      f"pseudo_mask_generator = dict(feature_extractor=dict(arch=dict(_delete_=True, **{TINY_ARCH!r}),"
                      " input_size=(32, 32)),"
                      f" depth_source=dict(model={tiny_depth_models['ZoeDepth']!r}))\n")
    out = tmp_path / 'masks.json'
    spec = importlib.util.spec_from_file_location('cuts3d_tool_extract', ROOT / 'tools' / 'extract_pseudo_masks.py')
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    rc = tool.main([str(config), '--images', str(images), '--out', str(out), '--no-progress'])
    assert rc == 0
    info = json.loads(out.read_text())['info']
    assert info['pseudo_mask_generator']['depth_source']['type'] == 'ZoeDepth' and 'random_weights' not in info
    assert mirror.requests == ['/dl.fbaipublicfiles.com/dino/dino_vitbase8_pretrain/dino_vitbase8_pretrain.pth']
