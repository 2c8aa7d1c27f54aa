# CutS3D with DiffNCuts ViT-S/8 features (paper Table 1, the 10.2 AP_mask row): configs/cuts3d/dino_in1k.py with
# the DiffNCuts backbone in extraction.
_base_ = ['./dino_in1k.py']

pseudo_mask_generator = dict(feature_extractor=dict(_delete_=True, **_base_.diffncuts_features))
train_dataloader = dict(dataset=dict(dataset=dict(ann_file='annotations/cuts3d_diffncuts_in1k_train.json')))
