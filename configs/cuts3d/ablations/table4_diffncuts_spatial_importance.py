# Paper Table 4, DiffNCuts ViT-S/8, row "+ Spatial Importance (2)": the LocalCut row with the NCut affinity
# sharpened where depth changes fast.
_base_ = ['./table4_diffncuts_localcut.py']

pseudo_mask_generator = dict(cutter=dict(affinity_modifiers=[_base_.spatial_importance]))
train_dataloader = dict(
    dataset=dict(dataset=dict(ann_file='annotations/ablations/table4_diffncuts_spatial_importance_train.json')))
