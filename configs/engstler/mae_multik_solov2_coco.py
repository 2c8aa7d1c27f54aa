# Engstler et al., "Understanding Self-Supervised Features for Learning Unsupervised Instance Segmentation": both
# stages in one config (docs/neighbours.md).
#
# Extract: MAE ViT-B/16 keys, normalised spectral clustering with k in {2, 3, 4, 5} (14 candidate masks per image),
# non-connected components split, a k = 2 saliency mask from DINO ViT-B/16 (foreground = the cluster on fewer border
# patches), candidates with < 50% of their area in it dropped, mask NMS at IoU 0.8. Proposals from COCO train2017 +
# unlabeled2017 (the paper's training images):
#   cuts3d extract configs/engstler/mae_multik_solov2_coco.py \
#       --images data/coco/train_unlabeled_list.txt --out data/coco/annotations/engstler_mae_multik.json
# (the list names images relative to data/coco, e.g. train2017/000000000009.jpg, so the json's file_names are too).
#
# Learn: mmdet's SOLOv2, class-agnostic (1 class), on those proposals with copy-paste; backbone ResNet-101 from
# DenseCL, frozen; SGD lr 0.00025, batch 4, 60k iterations, one round (paper appendix A.2.1). Not reproduced:
# FreeSOLO's BoxInst-style projection loss (mmdet's SOLOv2 has only the mask-supervised Dice + Focal losses, used
# here), and FreeSOLO's learning-rate details beyond the base lr (constant after warm-up here).
#   cuts3d train configs/engstler/mae_multik_solov2_coco.py
#   cuts3d test configs/engstler/mae_multik_solov2_coco.py work_dirs/.../iter_60000.pth
_base_ = ['mmdet::solov2/solov2_r50_fpn_1x_coco.py']

# cuts3d's registries import the types named below when they are built; cuts3d.engine installs the checkpoint policy.
default_scope = 'cuts3d'
custom_imports = dict(imports=['cuts3d.engine'], allow_failed_imports=False)

pseudo_mask_generator = dict(
    type='MultiKSpectralGenerator',
    feature_extractor=dict(
        type='MAEFeatures', arch='vit_base', input_size=(480, 480),
        checkpoint='https://dl.fbaipublicfiles.com/mae/pretrain/mae_pretrain_vit_base.pth'),
    saliency_extractor=dict(
        type='DINOFeatures', arch='vit_base', patch_size=16,
        checkpoint='https://dl.fbaipublicfiles.com/dino/dino_vitbase16_pretrain/dino_vitbase16_pretrain.pth',
        input_size=(480, 480)),
    ks=(2, 3, 4, 5),
    saliency_k=2,
    min_saliency_overlap=0.5,
    nms_iou=0.8,
    split=True,
    connectivity=4,
    min_patches=1,
    seed=0,
    kmeans_restarts=10,
    refiner=dict(type='NoRefiner'))
# Runner options (cuts3d.pseudo.ExtractionRunner). The masks carry confidence 1 everywhere, so one Spatial
# Confidence level (the mask itself) says all; each annotation's `score` is its saliency overlap.
extraction = dict(sc_levels=1, min_side=8, max_side=4096, warn_after_failures=20, dist_timeout_s=86400)

data_root = 'data/coco/'
backend_args = None

model = dict(
    backbone=dict(
        depth=101,
        frozen_stages=4,  # stem and all four stages frozen (the paper trains with a frozen backbone)
        init_cfg=dict(type='Pretrained', checkpoint='checkpoints/densecl_r101_imagenet_200ep.pth')),
    mask_head=dict(num_classes=1))

# mmdet's SOLOv2 training pipeline (multi-scale is not in the paper; the 1x base's single scale is kept), with the
# project's copy-paste between two images in MultiImageMixDataset (the paper: "copy & paste augmentation").
load_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='LoadSpatialConfidence'),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
]
train_pipeline = [
    dict(type='CutLERCopyPaste', scale_range=(0.3, 1.0)),
    dict(type='PackPseudoMaskInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
# The SOLOv2 base's loader (and its AspectRatioBatchSampler) over the pseudo-masks: an endless sampler, batch 4, and
# the dataset wrapped for copy-paste between two images.
train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        _delete_=True,
        type='MultiImageMixDataset',
        dataset=dict(
            type='PseudoMaskDataset',
            metainfo=dict(classes=('fg', )),
            data_root=data_root,
            ann_file='annotations/engstler_mae_multik.json',
            data_prefix=dict(img=''),
            filter_cfg=dict(filter_empty_gt=True),
            pipeline=load_pipeline,
            backend_args=backend_args),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    dataset=dict(
        type='CocoDataset',
        metainfo=dict(classes=('fg', )),
        data_root=data_root,
        ann_file='annotations/instances_val2017.json',
        data_prefix=dict(img='val2017/'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(
    _delete_=True,
    type='ClassAgnosticCocoMetric',
    ann_file=data_root + 'annotations/instances_val2017.json',
    metric=['segm'],  # mmdet's SOLOv2 predicts masks only (its boxes are zeros), so box AP would say nothing
    backend_args=backend_args)
test_evaluator = val_evaluator

train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=60000, val_interval=60000)
# The loops are rebuilt without mmdet's `_scope_`, which would hide cuts3d types (the metric) from them.
val_cfg = dict(_delete_=True, type='ValLoop')
test_cfg = dict(_delete_=True, type='TestLoop')
optim_wrapper = dict(optimizer=dict(lr=0.00025))
param_scheduler = [dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500)]
auto_scale_lr = dict(enable=False, base_batch_size=4)
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=5000, max_keep_ckpts=3), logger=dict(interval=20))
log_processor = dict(by_epoch=False)
