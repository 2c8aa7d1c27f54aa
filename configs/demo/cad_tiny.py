# CutLER's detector recipe shrunk to run on a CPU: about 0.1 s per training iteration (batch 2) on 2 idle cores,
# 16 base channels, a 32-channel FPN, small RoI heads, 128-256 px images, few proposals. Same structure as
# configs/cutler/cascade_mask_rcnn_r50_in1k.py (class-agnostic Cascade Mask R-CNN, DropLoss, copy-paste in the
# dataloader, the class-agnostic COCO metric), random initialisation. For demos, tests and benchmarks only.
#
# Data layout under data_root (what cuts3d.utils.synthetic_images.write_synthetic_dataset and the extraction tool
# write): images/*.png, pseudo_masks.json (training), annotations.json (ground truth for testing).
#   cuts3d train configs/demo/cad_tiny.py --cfg-options data_root=... (or the dataset fields below)
_base_ = ['../cutler/cascade_mask_rcnn_r50_in1k.py']

data_root = 'data/demo/'
norm_cfg = dict(type='BN', requires_grad=True)
channels = 32

model = dict(
    backbone=dict(depth=18, base_channels=16, norm_cfg=norm_cfg, init_cfg=None),
    neck=dict(in_channels=[16, 32, 64, 128], out_channels=channels, norm_cfg=norm_cfg),
    rpn_head=dict(in_channels=channels, feat_channels=channels),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=channels),
        bbox_head=[dict(head, in_channels=channels, fc_out_channels=64) for head in _base_.model.roi_head.bbox_head],
        mask_roi_extractor=dict(out_channels=channels),
        mask_head=dict(num_convs=1, in_channels=channels, conv_out_channels=16)),
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=300, max_per_img=200),
        rcnn=[dict(stage, sampler=dict(stage.sampler, num=64)) for stage in _base_.model.train_cfg.rcnn]),
    test_cfg=dict(rpn=dict(nms_pre=300, max_per_img=100)))

train_scales = [(256, short) for short in (128, 160, 192, 224, 256)]
load_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='LoadSpatialConfidence'),
    dict(type='RandomChoiceResize', scales=train_scales, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(256, 256), keep_ratio=True),
    dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataloader = dict(
    batch_size=2,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        dataset=dict(
            data_root=data_root, ann_file='pseudo_masks.json', data_prefix=dict(img='images/'),
            pipeline=load_pipeline)))
val_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, ann_file='annotations.json', data_prefix=dict(img='images/'),
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations.json')
test_evaluator = val_evaluator

train_cfg = dict(max_iters=20, val_interval=20)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=5),
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=20, milestones=[15], gamma=0.1),
]
self_training = dict(max_iters=10, warmup_iters=2)
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=10))
