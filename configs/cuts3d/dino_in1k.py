# CutS3D with DINO ViT-B/8 features (paper Table 1, "CutS3D (DINO)"), both stages: CutS3D's pseudo-masks of
# ImageNet-1k (_base_/pseudo_masks/cuts3d.py), and CutLER's detector (configs/cutler/cascade_mask_rcnn_r50_in1k.py)
# trained on them with the three Spatial Confidence components of _base_/cuts3d_components.py: confident copy-paste
# with alpha blending, and the SC soft-target mask loss. Train with cuts3d train, then cuts3d self-train --rounds 1,
# on this extraction's output (cuts3d extract ... --out <data_root>/<ann_file>).
_base_ = ['../_base_/pseudo_masks/cuts3d.py', '../cutler/cascade_mask_rcnn_r50_in1k.py']

# DINO ViT-B/8 (_base_/pseudo_masks/maskcut.py) and ZoeDepth (_base_/cuts3d_components.py) come from their
# official releases, downloaded once (README "Weights").

model = dict(roi_head=dict(mask_head=_base_.sc_mask_head))
train_pipeline = [dict(_base_.confident_copy_paste, alpha_blend=True), dict(type='PackPseudoMaskInputs')]
train_dataloader = dict(
    dataset=dict(pipeline=train_pipeline, dataset=dict(ann_file='annotations/cuts3d_dino_in1k_train.json')))
