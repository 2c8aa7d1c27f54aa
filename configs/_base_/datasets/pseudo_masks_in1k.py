# Training on ImageNet-1k pseudo-masks with CutLER's augmentation (docs/reference.md, "Detector training"), testing on
# COCO val2017 class-agnostically.
#
# Train: the pseudo-mask json (one category "fg", RLE masks, optional per-instance Spatial Confidence) over the
# ImageNet train images; multi-scale short side in CutLER's list (240..1024, long side <= 1333), horizontal flip,
# then CutLER's copy-paste between two images, which mmdet's MultiImageMixDataset hands to the transform in the
# dataloader workers. A method config sets `ann_file`; CutS3D configs swap the copy-paste for ConfidentCopyPaste.
# Test: COCO val2017, every category merged into "fg" by ClassAgnosticCocoMetric; any other COCO-format ground
# truth works with `cuts3d test ... --gt ANN.json --images DIR`.
#
# Paths are relative to the working directory: set `data_root` / `test_data_root` with --cfg-options
# (train_dataloader.dataset.dataset.data_root=..., test_dataloader.dataset.data_root=...).
data_root = 'data/imagenet/'
test_data_root = 'data/coco/'
backend_args = None

# CutLER: INPUT.MIN_SIZE_TRAIN (240, 320, 480, 640, 672, 704, 736, 768, 800, 1024), MAX_SIZE_TRAIN 1333.
train_scales = [(1333, short) for short in (240, 320, 480, 640, 672, 704, 736, 768, 800, 1024)]
# Per image: load, attach Spatial Confidence to the masks, multi-scale resize, flip.
load_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='LoadSpatialConfidence'),
    dict(type='RandomChoiceResize', scales=train_scales, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
]
# Per pair of images: paste objects of the second into the first, then pack.
train_pipeline = [
    dict(type='CutLERCopyPaste', scale_range=(0.3, 1.0)),
    dict(type='PackPseudoMaskInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),  # CutLER: MIN_SIZE_TEST 800, MAX_SIZE_TEST 1333
    dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]

train_dataloader = dict(
    batch_size=2,  # per GPU; CutLER's total batch is 16 = 8 GPUs x 2
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(
        type='MultiImageMixDataset',
        dataset=dict(
            type='PseudoMaskDataset',
            metainfo=dict(classes=('fg', )),
            data_root=data_root,
            ann_file='annotations/pseudo_masks_train.json',
            data_prefix=dict(img='train/'),
            filter_cfg=dict(filter_empty_gt=True),
            pipeline=load_pipeline,
            backend_args=backend_args),
        pipeline=train_pipeline))

val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='CocoDataset',
        metainfo=dict(classes=('fg', )),
        data_root=test_data_root,
        ann_file='annotations/instances_val2017.json',
        data_prefix=dict(img='val2017/'),
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = val_dataloader

val_evaluator = dict(
    type='ClassAgnosticCocoMetric',
    ann_file=test_data_root + 'annotations/instances_val2017.json',
    metric=['bbox', 'segm'],
    backend_args=backend_args)
test_evaluator = val_evaluator
