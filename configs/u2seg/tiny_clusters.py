# configs/u2seg/cascade_mask_rcnn_r50_clusters.py shrunk onto the tiny CPU detector of configs/demo/cad_tiny.py:
# C = 4 pseudo classes, weight-free colour features for the clustering and the stuff classes, semantic-aware
# copy-paste, cluster-to-class matching at test time. For demos and tests only.
#
#   cuts3d cluster configs/u2seg/tiny_clusters.py DATA/pseudo_masks.json --images DATA/images \
#       --out DATA/pseudo_masks_clustered.json
#   cuts3d train configs/u2seg/tiny_clusters.py --cfg-options data_root=DATA/ (or the dataset fields)
_base_ = ['../demo/cad_tiny.py']

custom_imports = dict(imports=['mmdet.engine', 'mmdet.visualization', 'cuts3d.engine', 'cuts3d.u2seg'],
                      allow_failed_imports=False)

num_clusters = 4
classes = tuple(f'cluster_{k}' for k in range(1, num_clusters + 1))

colour_features = dict(type='PatchColorFeatures', patch_size=8, input_size=(128, 128))
clustering = dict(feature_extractor=colour_features, num_clusters=num_clusters, seed=0, iterations=50)
panoptic = dict(
    stuff_source=dict(type='KMeansStuff', feature_extractor=colour_features, num_classes=3),
    max_thing_overlap=0.7,
    fit_images=20)

model = dict(
    roi_head=dict(
        bbox_head=[dict(head, num_classes=num_clusters) for head in _base_.model.roi_head.bbox_head],
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
