# CutLER's detector schedule (docs/reference.md, "Detector training"): SGD lr 0.01, momentum 0.9, weight decay 5e-5
# (none on norm layers, detectron2's WEIGHT_DECAY_NORM 0), total batch 16 (8 GPUs x 2 images), 160k iterations, one step
# at 80k with gamma 0.02, detectron2's default linear warm-up (1000 iterations from 0.001), gradient clipping at L2 norm
# 1.0. Mixed precision: `cuts3d train --amp` (CutLER trains with AMP on GPUs).
train_cfg = dict(type='IterBasedTrainLoop', max_iters=160000, val_interval=160000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=5e-5),
    paramwise_cfg=dict(norm_decay_mult=0.0),
    clip_grad=dict(max_norm=1.0, norm_type=2))

param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=1000),
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=160000, milestones=[80000], gamma=0.02),
]

# lr 0.01 is for a total batch of 16; `cuts3d train --auto-scale-lr` scales it to the actual batch.
auto_scale_lr = dict(enable=False, base_batch_size=16)
