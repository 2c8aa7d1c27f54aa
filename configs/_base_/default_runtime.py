# Runtime shared by every detector config: cuts3d scope (mmdet types resolve through it), checkpoints every 5000
# iterations, logs to the console, to files (LocalVisBackend) and to TensorBoard (`tensorboard --logdir WORK_DIR`).
# cuts3d's registries import their own packages when a config names one of their types (cuts3d/registry.py), and
# find mmdet's types through their parents, but only those already imported: the mmdet packages whose types are
# named here without a prefix (hooks, visualizer) are imported explicitly, and cuts3d.engine installs the
# checkpoint policy (weights-only loading of mmengine's own checkpoints, cuts3d/engine/checkpoint.py).
default_scope = 'cuts3d'
custom_imports = dict(imports=['mmdet.engine', 'mmdet.visualization', 'cuts3d.engine'], allow_failed_imports=False)

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=5000, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='DetVisualizationHook'))

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))

vis_backends = [dict(type='LocalVisBackend'), dict(type='TensorboardVisBackend')]
# No fixed `name`: each Runner (self-training builds several in one process) gets its own visualizer and log dir.
visualizer = dict(type='DetLocalVisualizer', vis_backends=vis_backends)
log_processor = dict(type='LogProcessor', window_size=20, by_epoch=False)

log_level = 'INFO'
load_from = None
resume = False
