# CutS3D pseudo-masks for ImageNet-1k with DiffNCuts ViT-S/8 features (paper Table 1, the 10.2 AP_mask row).
_base_ = ['../_base_/pseudo_masks/cuts3d.py', '../_base_/models/cascade_mask_rcnn_r50_fpn_cad_sc.py',
          '../_base_/datasets/pseudo_masks_in1k_confident_copy_paste.py', '../_base_/schedules/cutler_160k.py',
          '../_base_/schedules/self_training_80k.py', '../_base_/default_runtime.py']

# DiffNCuts publishes its checkpoint only as a Google Drive page (README "Weights"): download it by hand to this path.
# ZoeDepth comes from the Hugging Face hub (configs/_base_/pseudo_masks/cuts3d.py).
pseudo_mask_generator = dict(
    feature_extractor=dict(_delete_=True, type='DiffNCutsViT', checkpoint='checkpoints/diffncuts_vits8.pth',
                           input_size=(480, 480)))

# Learning stage (cuts3d train, then cuts3d self-train --rounds 1): CutLER's Cascade Mask R-CNN with DropLoss
# plus the Spatial Confidence components (confident copy-paste, SC alpha blending, SC soft-target mask loss),
# trained on this extraction's output (cuts3d extract ... --out <data_root>/<ann_file>).
train_dataloader = dict(dataset=dict(dataset=dict(ann_file='annotations/cuts3d_diffncuts_in1k_train.json')))
