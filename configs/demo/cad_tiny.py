# CutLER's detector recipe shrunk to run on a CPU: about 0.1 s per training iteration (batch 2) on 2 idle cores,
# 16 base channels, a 32-channel FPN, small RoI heads, 128-256 px images, few proposals. Same structure as
# configs/cutler/cascade_mask_rcnn_r50_in1k.py (class-agnostic Cascade Mask R-CNN, DropLoss, copy-paste in the
# dataloader, the class-agnostic COCO metric), random initialisation. For demos, tests and benchmarks only.
#
# Data layout under data_root (what cuts3d.datasets.synthetic.write_synthetic_dataset and the extraction tool
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
        bbox_head=[
            dict(
                type='Shared2FCBBoxHead',
                in_channels=channels,
                fc_out_channels=64,
                roi_feat_size=7,
                num_classes=1,
                bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0., 0., 0., 0.], target_stds=stds),
                reg_class_agnostic=True,
                loss_cls=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
                loss_bbox=dict(type='SmoothL1Loss', beta=1.0, loss_weight=1.0))
            for stds in ([0.1, 0.1, 0.2, 0.2], [0.05, 0.05, 0.1, 0.1], [0.033, 0.033, 0.067, 0.067])
        ],
        mask_roi_extractor=dict(out_channels=channels),
        mask_head=dict(num_convs=1, in_channels=channels, conv_out_channels=16)),
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=300, max_per_img=200),
        rcnn=[
            dict(
                assigner=dict(
                    type='MaxIoUAssigner',
                    pos_iou_thr=iou,
                    neg_iou_thr=iou,
                    min_pos_iou=iou,
                    match_low_quality=False,
                    ignore_iof_thr=-1),
                sampler=dict(type='RandomSampler', num=64, pos_fraction=0.25, neg_pos_ub=-1, add_gt_as_proposals=True),
                mask_size=28,
                pos_weight=-1,
                debug=False) for iou in (0.5, 0.6, 0.7)
        ]),
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
