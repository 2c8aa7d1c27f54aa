# Paper Table 4, DINO ViT-B/8, row "+ Spatial Importance (2)": LocalCut and Spatial Importance, no Spatial Confidence
# (constant confidence in extraction; CutLER's random copy-paste and plain mask BCE in training).
_base_ = ['./table4_dino_spatial_confidence.py']

pseudo_mask_generator = dict(confidence=dict(_delete_=True, type='ConstantConfidence', value=1.0))
model = dict(
    roi_head=dict(
        mask_head=dict(
            type='FCNMaskHead', loss_mask=dict(_delete_=True, type='CrossEntropyLoss', use_mask=True,
                                               loss_weight=1.0))))
train_dataloader = dict(
    dataset=dict(
        pipeline=[dict(type='CutLERCopyPaste', scale_range=(0.3, 1.0)), dict(type='PackPseudoMaskInputs')],
        dataset=dict(ann_file='annotations/ablations/table4_dino_spatial_importance_train.json')))
