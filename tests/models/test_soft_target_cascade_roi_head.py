"""SoftTargetCascadeRoIHead: CuVLER's scores reach the classification and box losses, with DropLoss, and the tiny
config trains end to end."""
import importlib.util
import json
import math
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from mmdet.structures import DetDataSample
from mmengine.config import ConfigDict
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

from cuts3d.registry import MODELS

ROOT = Path(__file__).resolve().parents[2]
SIZE = 256
GT = torch.tensor([[10., 10., 50., 50.], [100., 100., 140., 140.]])
SCORES = torch.tensor([0.8, 0.3])
# IoU with the GT boxes: 0.90 with GT 0 and 0.82 with GT 1 (positives), 0.14 with GT 1 (a background RoI DropLoss
# keeps), 0 (a background RoI DropLoss drops).
PROPOSALS = torch.tensor([[12., 10., 52., 50.], [100., 104., 140., 144.], [120., 120., 160., 160.],
                          [200., 10., 240., 50.]])


def _roi_head(soft=True, use_drop_loss=True, num_stages=1):
    init_default_scope('cuts3d')
    loss_cls = dict(type='SoftTargetLoss') if soft else dict(type='CrossEntropyLoss', use_sigmoid=False)
    stages = [(0.5, [0.1, 0.1, 0.2, 0.2]), (0.6, [0.05, 0.05, 0.1, 0.1])][:num_stages]
    bbox_heads = [dict(type='Shared2FCBBoxHead', in_channels=4, fc_out_channels=8, roi_feat_size=7, num_classes=1,
                       reg_class_agnostic=True, loss_cls=loss_cls,
                       bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0.] * 4, target_stds=stds),
                       loss_bbox=dict(type='SmoothL1Loss', beta=1.0, loss_weight=1.0)) for _, stds in stages]
    rcnn = [ConfigDict(assigner=dict(type='MaxIoUAssigner', pos_iou_thr=iou, neg_iou_thr=iou, min_pos_iou=iou,
                                     match_low_quality=False, ignore_iof_thr=-1),
                       sampler=dict(type='RandomSampler', num=512, pos_fraction=0.25, neg_pos_ub=-1,
                                    add_gt_as_proposals=True),
                       pos_weight=-1, debug=False) for iou, _ in stages]
    return MODELS.build(dict(
        type='SoftTargetCascadeRoIHead' if soft else 'DropLossCascadeRoIHead', use_drop_loss=use_drop_loss,
        drop_loss_iou_thr=0.01, num_stages=num_stages, stage_loss_weights=[1.0] * num_stages,
        bbox_roi_extractor=dict(type='SingleRoIExtractor', out_channels=4, featmap_strides=[4],
                                roi_layer=dict(type='RoIAlign', output_size=7, sampling_ratio=0)),
        bbox_head=bbox_heads, train_cfg=rcnn))


def _init(head):
    """Seeded weights; zero box deltas, so each RoI's decoded box is its proposal (the IoUs above hold)."""
    torch.manual_seed(0)
    head.init_weights()
    for bbox_head in head.bbox_head:
        torch.nn.init.normal_(bbox_head.fc_cls.weight, std=0.5)
        torch.nn.init.zeros_(bbox_head.fc_reg.weight)
        torch.nn.init.zeros_(bbox_head.fc_reg.bias)
    return head


def _feats():
    torch.manual_seed(1)
    return (torch.randn(1, 4, SIZE // 4, SIZE // 4), )


def _losses(head, scores=SCORES):
    sample = DetDataSample(metainfo=dict(img_shape=(SIZE, SIZE), pad_shape=(SIZE, SIZE), ori_shape=(SIZE, SIZE)))
    sample.gt_instances = InstanceData(bboxes=GT.clone(), labels=torch.zeros(2, dtype=torch.long), scores=scores)
    torch.manual_seed(2)  # the sampler's permutation
    return head.loss(_feats(), [InstanceData(bboxes=PROPOSALS.clone())], [sample])


def test_scores_reach_the_classification_and_box_losses_by_hand():
    head = _init(_roi_head())
    losses = _losses(head)
    # All 6 RoIs are sampled: the two GT boxes (added as proposals) and the 4 proposals.
    rois = torch.cat([torch.zeros(6, 1), torch.cat([GT, PROPOSALS])], dim=1)
    log_p = F.log_softmax(head._bbox_forward(0, _feats(), rois)['cls_score'], dim=1)  # columns: fg, bg
    score = [0.8, 0.3, 0.8, 0.3, None, None]  # the score of each RoI's ground truth; None: background
    keep = [1, 1, 1, 1, 1, 0]  # DropLoss: the last RoI overlaps no GT box
    per_roi = [-(s * lp[0] + (1 - s) * lp[1]) if s is not None else -lp[1] for s, lp in zip(score, log_p.tolist())]
    expected_cls = sum(k * loss for k, loss in zip(keep, per_roi)) / 6  # mean over all sampled RoIs
    assert losses['s0.loss_cls'].item() == pytest.approx(expected_cls, rel=1e-5)
    hard = -(sum(k * lp[0 if s is not None else 1] for k, s, lp in zip(keep, score, log_p.tolist()))) / 6
    assert abs(losses['s0.loss_cls'].item() - hard) > 1e-3  # the scores change the loss

    # Box loss: zero predicted deltas, so each positive RoI's smooth L1 (beta 1) is over its encoded target.
    coder = head.bbox_head[0].bbox_coder
    targets = coder.encode(torch.cat([GT, PROPOSALS[:2]]), torch.cat([GT, GT]))
    smooth_l1 = torch.where(targets.abs() < 1, 0.5 * targets ** 2, targets.abs() - 0.5).sum(dim=1)
    expected_box = sum(s * loss for s, loss in zip(score[:4], smooth_l1.tolist())) / 6
    assert losses['s0.loss_bbox'].item() == pytest.approx(expected_box, rel=1e-5)
    assert losses['s0.drop_frac'].item() == pytest.approx(1 / 6)


@pytest.mark.parametrize('use_drop_loss', [True, False])
def test_scores_of_one_reproduce_the_hard_cross_entropy_heads(use_drop_loss):
    """Two cascade stages: with every score 1 the losses are DropLossCascadeRoIHead's with CrossEntropyLoss (and,
    with DropLoss off, mmdet's plain cascade loss)."""
    soft = _init(_roi_head(True, use_drop_loss, num_stages=2))
    hard = _roi_head(False, use_drop_loss, num_stages=2)
    hard.load_state_dict(soft.state_dict())
    ones = torch.ones(2)
    soft_losses, hard_losses = _losses(soft, ones), _losses(hard, ones)
    assert soft_losses.keys() == hard_losses.keys()
    for name in hard_losses:
        torch.testing.assert_close(soft_losses[name], hard_losses[name], msg=name)
    assert ('s1.drop_frac' in soft_losses) == use_drop_loss


def test_a_hard_classification_loss_is_rejected():
    init_default_scope('cuts3d')
    with pytest.raises(ValueError, match='SoftTargetLoss'):
        MODELS.build(dict(type='SoftTargetCascadeRoIHead', num_stages=1, stage_loss_weights=[1],
                          bbox_roi_extractor=dict(type='SingleRoIExtractor', out_channels=4, featmap_strides=[4],
                                                  roi_layer=dict(type='RoIAlign', output_size=7)),
                          bbox_head=dict(type='Shared2FCBBoxHead', in_channels=4, num_classes=1,
                                         reg_class_agnostic=True)))


def test_ground_truth_without_scores_is_rejected():
    head = _init(_roi_head())
    sample = DetDataSample(metainfo=dict(img_shape=(SIZE, SIZE), pad_shape=(SIZE, SIZE)))
    sample.gt_instances = InstanceData(bboxes=GT.clone(), labels=torch.zeros(2, dtype=torch.long))
    with pytest.raises(ValueError, match='PackPseudoMaskInputs'):
        head.loss(_feats(), [InstanceData(bboxes=PROPOSALS.clone())], [sample])


def _load(path: Path, name: str):
    """Import a module that is not in a package (a tool, or a helper of the tool tests) from its file."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def one_torch_thread():
    """One intra-op thread during the training run: on a shared 2-core machine, two threads next to another busy
    process made a tiny training step take about 9 s instead of 0.1 s."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_tiny_config_trains_two_iterations(tmp_path, one_torch_thread):
    data = _load(ROOT / 'tests' / 'tools' / 'tiny_pseudo_mask_data.py', 'cuvler_tiny_pseudo_mask_data')
    root = data.write_tiny_dataset(tmp_path / 'data', num_images=2)
    scores = [ann['score'] for ann in json.loads((root / 'pseudo_masks.json').read_text())['annotations']]
    assert min(scores) < 1.0, 'the soft targets need scores below 1 to differ from hard ones'
    work_dir = tmp_path / 'work'
    options = [*data.data_options(root), 'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
               'default_hooks.logger.interval=1', 'default_hooks.checkpoint.interval=2', 'param_scheduler.1.end=2']
    train = _load(ROOT / 'tools' / 'train.py', 'cuvler_tiny_train_tool')
    assert train.main(['configs/demo/cuvler_soft_target_tiny.py', '--work-dir', str(work_dir),
                       '--cfg-options', *options]) == 0
    assert (work_dir / 'iter_2.pth').is_file()
    lines = next(work_dir.glob('*/vis_data/scalars.json')).read_text().splitlines()
    logged = [entry for entry in map(json.loads, lines) if 'iter' in entry]
    assert [entry['iter'] for entry in logged] == [1, 2]
    for entry in logged:
        for stage in range(3):
            for name in ('loss_cls', 'loss_bbox', 'loss_mask', 'drop_frac'):
                assert math.isfinite(entry[f's{stage}.{name}']), (stage, name)
