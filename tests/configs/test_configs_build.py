"""Every config under configs/ (except the partial `_base_` pieces) parses and builds.

Detector configs build their model with ``MODELS.build`` and every transform of their pipelines; extraction configs
build their ``pseudo_mask_generator`` with the project's builder, offline: checkpoints are replaced by random weights
and depth folders by an empty folder (no weights can be downloaded here, see docs/reference.md, "Offline"). Configs
sharing a model or a generator are built once.
"""
import json
from pathlib import Path

import pytest
from mmengine.config import Config, ConfigDict
from mmengine.registry import init_default_scope

from cuts3d.registry import METRICS, MODELS, PSEUDO_MASK_GENERATORS, TRANSFORMS, build_component

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = sorted(p for p in (ROOT / 'configs').rglob('*.py') if '_base_' not in p.parts)
IDS = [str(p.relative_to(ROOT / 'configs')) for p in CONFIGS]


@pytest.fixture(scope='module')
def built():
    """Keys of models and generators already built in this module (to build each distinct one once)."""
    return set()


def _key(cfg: dict) -> str:
    return json.dumps(cfg, sort_keys=True, default=str)


def _pipelines(dataset: dict):
    yield dataset.get('pipeline') or []
    for inner in [dataset.get('dataset')] + list(dataset.get('datasets') or []):
        if isinstance(inner, dict):
            yield from _pipelines(inner)


def _offline(node, depth_dir: str, depth_models: dict[str, str]):
    """A copy of a generator config that builds offline: random weights (``pretrained=False``) for every component
    that names a checkpoint, tiny local models for the network depth sources, and depth files read from
    ``depth_dir`` (recursively, so nested components such as a saliency extractor are covered)."""
    if isinstance(node, list):
        return [_offline(item, depth_dir, depth_models) for item in node]
    if not isinstance(node, dict):
        return node
    node = ConfigDict({key: _offline(value, depth_dir, depth_models) for key, value in node.items()})
    if 'checkpoint' in node:
        node.checkpoint = None
        node.pretrained = False
    if node.get('type') in depth_models:
        node.model = depth_models[node.type]
        node.pop('variant', None)
    if node.get('type') == 'FileDepth':
        node.root = depth_dir
    return node


def test_there_are_method_and_demo_configs():
    assert {'cutler/cascade_mask_rcnn_r50_in1k.py', 'cuts3d/dino_in1k.py', 'cuts3d/diffncuts_in1k.py',
            'demo/cad_tiny.py'} <= set(IDS)


@pytest.mark.parametrize('path', CONFIGS, ids=IDS)
def test_config_builds(path, built, tmp_path, tiny_depth_models):
    cfg = Config.fromfile(str(path))
    assert 'model' in cfg or 'pseudo_mask_generator' in cfg, 'a config defines a detector, an extraction or both'
    if 'model' in cfg:
        init_default_scope(cfg.get('default_scope', 'cuts3d'))
        if _key(cfg.model) not in built:
            MODELS.build(cfg.model)
            built.add(_key(cfg.model))
        for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
            for pipeline in _pipelines(cfg[loader]['dataset']) if loader in cfg else []:
                for transform in pipeline:
                    TRANSFORMS.build(transform)
        for evaluator in ('val_evaluator', 'test_evaluator'):
            if evaluator in cfg:
                assert METRICS.get(cfg[evaluator]['type']) is not None, cfg[evaluator]['type']
    if 'pseudo_mask_generator' in cfg:
        generator = _offline(cfg.pseudo_mask_generator, str(tmp_path), tiny_depth_models)
        if _key(generator).replace(str(tmp_path), '') not in built:
            assert callable(build_component(generator, PSEUDO_MASK_GENERATORS))
            built.add(_key(generator).replace(str(tmp_path), ''))
