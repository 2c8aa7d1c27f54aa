# CutLER's detector (Wang et al., CVPR 2023; docs/reference.md, "Detector training"): class-agnostic Cascade Mask R-CNN
# R50-FPN from DINO ResNet-50, DropLoss, random copy-paste, trained 160k iterations on ImageNet-1k MaskCut pseudo-masks,
# then self-trained (cuts3d self-train). The baseline every CutS3D config inherits and changes.
#
#   cuts3d train configs/cutler/cascade_mask_rcnn_r50_in1k.py          # or tools/dist_train.sh ... 8
#   cuts3d self-train configs/cutler/cascade_mask_rcnn_r50_in1k.py --rounds 1
#   cuts3d test configs/cutler/cascade_mask_rcnn_r50_in1k.py work_dirs/.../iter_160000.pth
_base_ = [
    '../_base_/models/cascade_mask_rcnn_r50_fpn_cad.py',
    '../_base_/datasets/pseudo_masks_in1k.py',
    '../_base_/schedules/cutler_160k.py',
    '../_base_/schedules/self_training_80k.py',
    '../_base_/default_runtime.py',
]

# MaskCut pseudo-masks of ImageNet train (cuts3d extract with configs/cutler/maskcut_dino_vitb8_in1k.py,
# or CutLER's released imagenet_train_fixsize480_tau0.15_N3.json), relative to data_root.
train_dataloader = dict(dataset=dict(dataset=dict(ann_file='annotations/imagenet_train_fixsize480_tau0.15_N3.json')))
