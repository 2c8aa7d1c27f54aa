# configs/u2seg/cascade_mask_rcnn_r50_clusters.py shrunk onto the tiny CPU detector of configs/demo/cad_tiny.py:
# C = 4 pseudo classes, weight-free colour features for the clustering and the stuff classes, semantic-aware
# copy-paste, cluster-to-class matching at test time. For demos and tests only.
#
#   cuts3d cluster configs/u2seg/tiny_clusters.py DATA/pseudo_masks.json --images DATA/images \
#       --out DATA/pseudo_masks_clustered.json
#   cuts3d train configs/u2seg/tiny_clusters.py --cfg-options data_root=DATA/ (or the dataset fields)
_base_ = ['../demo/cad_tiny.py']

custom_imports = dict(
    imports=['mmdet.engine', 'mmdet.visualization', 'cuts3d.models', 'cuts3d.datasets', 'cuts3d.evaluation',
             'cuts3d.engine', 'cuts3d.u2seg'],
    allow_failed_imports=False)

num_clusters = 4
classes = tuple(f'cluster_{k}' for k in range(1, num_clusters + 1))

colour_features = dict(type='PatchColorFeatures', patch_size=8, input_size=(128, 128))
clustering = dict(feature_extractor=colour_features, num_clusters=num_clusters, seed=0, iterations=50)
panoptic = dict(
    stuff_source=dict(type='KMeansStuff', feature_extractor=colour_features, num_classes=3),
    max_thing_overlap=0.7,
    fit_images=20)

channels = 32
model = dict(
    roi_head=dict(
        bbox_head=[
            dict(
                type='Shared2FCBBoxHead',
                in_channels=channels,
                fc_out_channels=64,
                roi_feat_size=7,
                num_classes=num_clusters,
                bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0., 0., 0., 0.], target_stds=stds),
                reg_class_agnostic=True,
                loss_cls=dict(type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
                loss_bbox=dict(type='SmoothL1Loss', beta=1.0, loss_weight=1.0))
            for stds in ([0.1, 0.1, 0.2, 0.2], [0.05, 0.05, 0.1, 0.1], [0.033, 0.033, 0.067, 0.067])
        ],
        mask_head=dict(num_classes=num_clusters, class_agnostic=False)))

train_dataloader = dict(
    dataset=dict(
        dataset=dict(ann_file='pseudo_masks_clustered.json', metainfo=dict(classes=classes, palette='random')),
        pipeline=[
            dict(type='SemanticAwareCopyPaste', relative_scale_range=(0.5, 1.5), shift_range=(0.25, 0.75),
                 fallback='cutler', scale_range=(0.3, 1.0)),
            dict(type='PackPseudoMaskInputs'),
        ]))

test_evaluator = dict(
    _delete_=True,
    type='HungarianMatchingMetric',
    ann_file='data/demo/annotations.json',
    metric=['bbox', 'segm'],
    score_thr=0.4,
    iou_thr=0.6,
    match_iou_type='bbox',
    assignment='majority')
