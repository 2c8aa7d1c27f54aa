"""configs/u2seg: both configs load with their custom imports, the class-aware models build with C classes in every
head, the tiny one computes its training loss on C-class targets, and the data/evaluation types resolve."""
from pathlib import Path

import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample
from mmdet.structures.mask import BitmapMasks
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

from cuts3d.registry import METRICS, MODELS, STUFF_SOURCES, TRANSFORMS
from cuts3d.u2seg import cluster_class_names

CONFIGS = Path(__file__).resolve().parents[2] / 'configs' / 'u2seg'


@pytest.fixture(scope='module', params=['cascade_mask_rcnn_r50_clusters.py', 'tiny_clusters.py'])
def config(request):
    cfg = Config.fromfile(str(CONFIGS / request.param))
    init_default_scope(cfg.default_scope)
    return cfg


def test_config_is_class_aware_with_c_classes(config):
    num = config.num_clusters
    assert num == (800 if config.model.backbone.depth == 50 else 4)
    assert 'cuts3d.u2seg' in config.custom_imports.imports
    assert config.train_dataloader.dataset.dataset.metainfo.classes == cluster_class_names(num)
    assert config.clustering.num_clusters == num
    model = MODELS.build(config.model)
    for head in model.roi_head.bbox_head:
        assert head.num_classes == num and head.fc_cls.out_features == num + 1 and head.reg_class_agnostic
    for head in model.roi_head.mask_head:
        assert not head.class_agnostic and head.conv_logits.out_channels == num
    for transform in config.train_dataloader.dataset.pipeline:
        TRANSFORMS.build(transform)
    assert METRICS.get(config.test_evaluator.type) is not None
    assert config.test_evaluator.assignment == 'majority' and config.val_evaluator.type == 'ClassAgnosticCocoMetric'
    assert STUFF_SOURCES.get(config.panoptic.stuff_source.type) is not None


def test_tiny_model_learns_from_cluster_labels():
    cfg = Config.fromfile(str(CONFIGS / 'tiny_clusters.py'))
    init_default_scope(cfg.default_scope)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.train()
    masks = np.zeros((2, 128, 128), np.uint8)
    masks[0, 10:60, 10:60] = 1
    masks[1, 70:120, 60:110] = 1
    sample = DetDataSample(metainfo=dict(img_shape=(128, 128), pad_shape=(128, 128), batch_input_shape=(128, 128)))
    bitmap = BitmapMasks(masks, 128, 128)
    sample.gt_instances = InstanceData(bboxes=torch.from_numpy(bitmap.get_bboxes('hbox').numpy()),
                                       labels=torch.tensor([3, 1]), masks=bitmap)
    losses = model.loss(torch.rand(1, 3, 128, 128), [sample])
    total, log_vars = model.parse_losses(losses)
    assert torch.isfinite(total) and total > 0 and log_vars['s0.loss_mask'] > 0
    total.backward()
    assert model.roi_head.bbox_head[0].fc_cls.weight.grad.abs().sum() > 0
