# Engstler et al.'s method shrunk to run on a CPU, for the demo and the tests: the same extraction rules on
# weight-free colour features (PatchColorFeatures, 128 x 128 resize, 16 x 16 grid; the saliency clustering reuses
# them, as the paper's "MAE saliency" ablation does) and a small class-agnostic SOLOv2 (ResNet-18 with 16 base
# channels, 32-channel FPN, small head, random initialisation, backbone trained since there are no weights to
# freeze). Same data layout as configs/demo/cad_tiny.py under data_root: images/*.png, pseudo_masks.json (training),
# annotations.json (ground truth).
#   cuts3d extract configs/engstler/multik_tiny.py --images data/demo/images \
#       --out data/demo/pseudo_masks.json
#   cuts3d train configs/engstler/multik_tiny.py
_base_ = ['./mae_multik_solov2_coco.py']

pseudo_mask_generator = dict(
    feature_extractor=dict(_delete_=True, type='PatchColorFeatures', patch_size=8, input_size=(128, 128)),
    saliency_extractor=None)
extraction = dict(max_side=1024, warn_after_failures=5)

data_root = 'data/demo/'
norm_cfg = dict(type='BN', requires_grad=True)
channels = 32

model = dict(
    backbone=dict(depth=18, base_channels=16, frozen_stages=-1, norm_cfg=norm_cfg, init_cfg=None),
    neck=dict(in_channels=[16, 32, 64, 128], out_channels=channels),
    mask_head=dict(
        in_channels=channels,
        feat_channels=64,
        stacked_convs=2,
        mask_feature_head=dict(feat_channels=32, out_channels=64)),
    test_cfg=dict(nms_pre=100, max_per_img=30))

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
param_scheduler = [dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=5)]
optim_wrapper = dict(optimizer=dict(lr=0.005))
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=10))
