# Class-agnostic Cascade Mask R-CNN R50-FPN with CutLER's settings (docs/reference.md, "Detector training"; CutLER's
# model_zoo/configs/CutLER-ImageNet/cascade_mask_rcnn_R_50_FPN.yaml): one class "fg", class-agnostic boxes and
# masks, SyncBN in backbone and FPN (all stages trainable), RPN NMS 0.65 with 4000 post-NMS proposals in training,
# RoI positive fraction 0.25, test score threshold 0 and 100 detections per image, DropLoss (IoU 0.01).
#
# Backbone weights: DINO ResNet-50 (self-supervised, ImageNet) in its official torchvision key layout
# (conv1.weight, bn1.*, layer1.0.conv1.weight, ...), i.e. the `dino_resnet50_pretrain.pth` release of
# facebookresearch/dino. mmdet's ResNet uses the same names, so `Pretrained` loads it as is. The URL is downloaded
# once into $CUTS3D_CACHE and loaded weights-only (cuts3d/engine/checkpoint.py); offline, point to a local copy with
#   --cfg-options model.backbone.init_cfg.checkpoint=/path/to/dino_resnet50_pretrain.pth
# For DINO's full training checkpoint (keys "teacher" -> "module.backbone.conv1.weight", ...) re-save the teacher's
# backbone state_dict first, or add prefix='module.backbone.' to init_cfg after extracting `teacher`.
# Differences from CutLER's detectron2 model, by design of mmdet's Cascade R-CNN: stage loss weights
# (1, 0.5, 0.25) instead of detectron2's equal weights with 1/3 gradient scaling, and one mask head per stage.
norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    type='CascadeRCNN',
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_mask=True,
        pad_size_divisor=32),
    backbone=dict(
        type='ResNet',
        depth=50,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        frozen_stages=-1,  # CutLER: BACKBONE.FREEZE_AT 0
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch',  # CutLER: STRIDE_IN_1X1 False
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://dl.fbaipublicfiles.com/dino/dino_resnet50_pretrain/dino_resnet50_pretrain.pth')),
    neck=dict(type='FPN', in_channels=[256, 512, 1024, 2048], out_channels=256, num_outs=5, norm_cfg=norm_cfg),
    rpn_head=dict(
        type='RPNHead',
        in_channels=256,
        feat_channels=256,
        anchor_generator=dict(type='AnchorGenerator', scales=[8], ratios=[0.5, 1.0, 2.0], strides=[4, 8, 16, 32, 64]),
        bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[.0, .0, .0, .0], target_stds=[1.0, 1.0, 1.0, 1.0]),
        loss_cls=dict(type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0),
        loss_bbox=dict(type='SmoothL1Loss', beta=1.0 / 9.0, loss_weight=1.0)),
    roi_head=dict(
        type='DropLossCascadeRoIHead',
        use_drop_loss=True,
        drop_loss_iou_thr=0.01,
        num_stages=3,
        stage_loss_weights=[1, 0.5, 0.25],
        bbox_roi_extractor=dict(
            type='SingleRoIExtractor',
            roi_layer=dict(type='RoIAlign', output_size=7, sampling_ratio=0),
            out_channels=256,
            featmap_strides=[4, 8, 16, 32]),
        bbox_head=[
            dict(
                type='Shared2FCBBoxHead',
                in_channels=256,
                fc_out_channels=1024,
                roi_feat_size=7,
                num_classes=1,
                bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0., 0., 0., 0.], target_stds=stds),
                reg_class_agnostic=True,
                loss_cls=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
                loss_bbox=dict(type='SmoothL1Loss', beta=1.0, loss_weight=1.0))
            for stds in ([0.1, 0.1, 0.2, 0.2], [0.05, 0.05, 0.1, 0.1], [0.033, 0.033, 0.067, 0.067])
        ],
        mask_roi_extractor=dict(
            type='SingleRoIExtractor',
            roi_layer=dict(type='RoIAlign', output_size=14, sampling_ratio=0),
            out_channels=256,
            featmap_strides=[4, 8, 16, 32]),
        mask_head=dict(
            type='FCNMaskHead',
            num_convs=4,
            in_channels=256,
            conv_out_channels=256,
            num_classes=1,
            class_agnostic=True,
            loss_mask=dict(type='CrossEntropyLoss', use_mask=True, loss_weight=1.0))),
    train_cfg=dict(
        rpn=dict(
            assigner=dict(
                type='MaxIoUAssigner',
                pos_iou_thr=0.7,
                neg_iou_thr=0.3,
                min_pos_iou=0.3,
                match_low_quality=True,
                ignore_iof_thr=-1),
            sampler=dict(type='RandomSampler', num=256, pos_fraction=0.5, neg_pos_ub=-1, add_gt_as_proposals=False),
            allowed_border=0,
            pos_weight=-1,
            debug=False),
        # CutLER: RPN.PRE_NMS_TOPK_TRAIN 2000 (per level), POST_NMS_TOPK_TRAIN 4000, NMS_THRESH 0.65
        rpn_proposal=dict(nms_pre=2000, max_per_img=4000, nms=dict(type='nms', iou_threshold=0.65), min_bbox_size=0),
        rcnn=[
            dict(
                assigner=dict(
                    type='MaxIoUAssigner',
                    pos_iou_thr=iou,
                    neg_iou_thr=iou,
                    min_pos_iou=iou,
                    match_low_quality=False,
                    ignore_iof_thr=-1),
                sampler=dict(type='RandomSampler', num=512, pos_fraction=0.25, neg_pos_ub=-1, add_gt_as_proposals=True),
                mask_size=28,
                pos_weight=-1,
                debug=False) for iou in (0.5, 0.6, 0.7)
        ]),
    test_cfg=dict(
        rpn=dict(nms_pre=1000, max_per_img=1000, nms=dict(type='nms', iou_threshold=0.65), min_bbox_size=0),
        rcnn=dict(score_thr=0.0, nms=dict(type='nms', iou_threshold=0.5), max_per_img=100, mask_thr_binary=0.5)))
