# Paper Table 4, DiffNCuts ViT-S/8, row "+ LocalCut (1)": LocalCut on the depth point cloud, without Spatial Importance
# sharpening of the affinity and without Spatial Confidence.
_base_ = ['./table4_diffncuts_spatial_importance.py']

pseudo_mask_generator = dict(cutter=dict(affinity_modifiers=[]))
train_dataloader = dict(
    dataset=dict(dataset=dict(ann_file='annotations/ablations/table4_diffncuts_localcut_train.json')))
