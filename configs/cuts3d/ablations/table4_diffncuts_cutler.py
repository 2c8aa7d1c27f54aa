# Paper Table 4, DiffNCuts ViT-S/8, row "CutLER": MaskCut (2D connected component of the NCut bipartition, no depth) and
# CutLER's detector, on DiffNCuts ViT-S/8 features.
_base_ = ['./table4_diffncuts_localcut.py']

pseudo_mask_generator = dict(
    depth_source=None,
    cutter=dict(claimed='zero'),
    partitioner=dict(_delete_=True, type='ConnectedComponent2D', connectivity=4),
    refiner=dict(depth_std=None),
    stop_on_rest=False,
    claim_dropped=False)
train_dataloader = dict(dataset=dict(dataset=dict(ann_file='annotations/ablations/table4_diffncuts_cutler_train.json')))
