# U2Seg's semantic-aware instance segmentation (Niu et al., CVPR 2024, sec. 3.2) over CutLER's detector: MaskCut
# pseudo-masks clustered into C = 800 pseudo classes (300 and 800 in the paper), a class-aware Cascade Mask R-CNN
# trained on them with DropLoss and semantic-aware copy-paste (eq. 4), evaluated after matching clusters to the
# ground-truth classes (Table 8). The pipeline:
#
#   cuts3d extract configs/cutler/maskcut_dino_vitb8_in1k.py --images data/imagenet/train \
#       --out data/imagenet/annotations/maskcut_dino_vitb8_in1k_train.json
#   cuts3d cluster configs/u2seg/cascade_mask_rcnn_r50_clusters.py \
#       data/imagenet/annotations/maskcut_dino_vitb8_in1k_train.json --images data/imagenet/train \
#       --out data/imagenet/annotations/imagenet_train_clusters800.json
#   cuts3d train configs/u2seg/cascade_mask_rcnn_r50_clusters.py
#   cuts3d test configs/u2seg/cascade_mask_rcnn_r50_clusters.py work_dirs/.../iter_160000.pth
#   cuts3d panoptic configs/u2seg/cascade_mask_rcnn_r50_clusters.py \
#       data/imagenet/annotations/imagenet_train_clusters800.json --images data/imagenet/train \
#       --out data/imagenet/annotations/imagenet_train_panoptic800.json
#
# Model: as U2Seg's released config (configs/COCO-PanopticSegmentation/u2seg_R50_800.yaml): NUM_CLASSES C in
# every cascade stage with class-agnostic box regression (CLS_AGNOSTIC_BBOX_REG, which DropLoss needs too) and
# detectron2's default class-specific mask head. The schedule stays CutLER's 160k (the released panoptic config
# runs 270k with steps at 210k/250k). Only the instance branch is built: U2Seg's panoptic model adds a
# semantic-segmentation head (Panoptic FPN), not part of this project; cuts3d panoptic makes
# its training targets. For another C, change `num_clusters` here (it sets every head and the class names).
_base_ = ['../cutler/cascade_mask_rcnn_r50_in1k.py']

# default_runtime's imports plus the method's package, so the config names what it uses (cuts3d's registries would
# also import it when one of its types is built).
custom_imports = dict(imports=['mmdet.engine', 'mmdet.visualization', 'cuts3d.engine', 'cuts3d.u2seg'],
                      allow_failed_imports=False)

num_clusters = 800
# The category names cuts3d cluster writes (cuts3d.u2seg.cluster_class_names).
classes = tuple(f'cluster_{k}' for k in range(1, num_clusters + 1))

# Stage 1b (cuts3d cluster): DINO ViT-B/8 keys mask-pooled per pseudo-mask, K-Means into C classes.
dino_vitb8 = dict(type='DINOFeatures', arch='vit_base', patch_size=8, input_size=(480, 480),
                  checkpoint='https://dl.fbaipublicfiles.com/dino/dino_vitbase8_pretrain/dino_vitbase8_pretrain.pth')
clustering = dict(feature_extractor=dino_vitb8, num_clusters=num_clusters, seed=0, iterations=50)

# Panoptic pseudo-labels (cuts3d panoptic, eq. 5): things = the clusters, stuff = 27 K-Means
# classes of the same features away from things (KMeansStuff, a weight-free stand-in for STEGO's 27 classes).
panoptic = dict(
    stuff_source=dict(type='KMeansStuff', feature_extractor=dino_vitb8, num_classes=27),
    max_thing_overlap=0.7,
    fit_images=1000)

model = dict(
    roi_head=dict(
        bbox_head=[dict(head, num_classes=num_clusters) for head in _base_.model.roi_head.bbox_head],
        mask_head=dict(num_classes=num_clusters, class_agnostic=False)))

# The clustered pseudo-masks (relative to data_root); a random palette since the dataset has C classes.
train_dataloader = dict(
    dataset=dict(
        dataset=dict(ann_file='annotations/imagenet_train_clusters800.json',
                     metainfo=dict(classes=classes, palette='random')),
        pipeline=[
            # Eq. 4 pairs; CutLER's random copy-paste (scale 0.3-1) when an image has no same-cluster partner.
            dict(type='SemanticAwareCopyPaste', relative_scale_range=(0.5, 1.5), shift_range=(0.25, 0.75),
                 fallback='cutler', scale_range=(0.3, 1.0)),
            dict(type='PackPseudoMaskInputs'),
        ]))

# Validation during training stays class-agnostic (U2Seg Table 1, "Agn Instance Seg"); testing maps clusters to
# COCO's 80 classes. 'majority' (each cluster to its most frequent class) is what U2Seg's released evaluator does
# and what its Table 8 counts (hundreds of 800 clusters matched to 80 classes); 'hungarian' is one-to-one.
test_evaluator = dict(
    _delete_=True,
    type='HungarianMatchingMetric',
    ann_file='data/coco/annotations/instances_val2017.json',
    metric=['bbox', 'segm'],
    score_thr=0.4,
    iou_thr=0.6,
    match_iou_type='bbox',
    assignment='majority')
