# Paper Table 4, DiffNCuts ViT-S/8, row "+ Spatial Confidence (3, 4, 5)": the Spatial Importance row with a Spatial
# Confidence map per pseudo-mask, used in training for confident copy-paste (3), alpha blending (4) and the SC
# soft-target mask loss (5). This is the method, configs/cuts3d/diffncuts_in1k.py (tests/configs/test_paper_tables.py).
_base_ = ['./table4_diffncuts_spatial_importance.py']

pseudo_mask_generator = dict(confidence=dict(_delete_=True, **_base_.spatial_confidence))
extraction = _base_.spatial_confidence_storage
model = dict(roi_head=dict(mask_head=_base_.sc_mask_head))
train_pipeline = [dict(_base_.confident_copy_paste, alpha_blend=True), dict(type='PackPseudoMaskInputs')]
train_dataloader = dict(
    dataset=dict(pipeline=train_pipeline, dataset=dict(ann_file='annotations/cuts3d_diffncuts_in1k_train.json')))
