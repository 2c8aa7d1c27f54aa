# CutLER's MaskCut pseudo-masks for ImageNet-1k with DINO ViT-B/8 (the checkpoint the CutLER release uses).
_base_ = ['../_base_/pseudo_masks/maskcut.py', './cascade_mask_rcnn_r50_in1k.py']

pseudo_mask_generator = dict(
    feature_extractor=dict(
        checkpoint='https://dl.fbaipublicfiles.com/dino/dino_vitbase8_pretrain/dino_vitbase8_pretrain.pth'))

# Learning stage (cuts3d train, cuts3d self-train): CutLER's detector from ./cascade_mask_rcnn_r50_in1k.py,
# trained on this extraction's output (cuts3d extract ... --out <data_root>/<ann_file>).
train_dataloader = dict(dataset=dict(dataset=dict(ann_file='annotations/maskcut_dino_vitb8_in1k_train.json')))
