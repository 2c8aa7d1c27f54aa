"""U2Seg (Niu et al., CVPR 2024) over the project's components: pseudo classes for pseudo-masks and their uses.

Clustering of pseudo-masks into pseudo classes (mask-pooled patch features, K-Means, eq. 3), the semantic-aware
copy-paste transform (eq. 4, TRANSFORMS), the cluster-to-class matching metric (Table 8, METRICS), the panoptic
merge of things and stuff (eq. 5) with its COCO panoptic output, and a weight-free stuff source (STUFF_SOURCES).
Configs that use these types list ``'cuts3d.u2seg'`` in ``custom_imports``.
"""
from .clustered_json import cluster_categories, cluster_class_names, clustered_pseudo_masks
from .hungarian_metric import HungarianMatchingMetric, cluster_class_counts, cluster_to_class, relabel_prediction
from .kmeans import ClusteringError, assign_to_centroids, fit_kmeans
from .kmeans_stuff import KMeansStuff
from .mask_embedding import (MaskEmbeddingError, embed_pseudo_masks, mask_pooled_embedding, normalized_patches,
                             patch_coverage)
from .panoptic import PanopticLabels, ThingMask, merge_thing_and_stuff_labels, panoptic_pseudo_labels
from .panoptic_format import id_to_rgb, panoptic_categories, png_name, rgb_to_id, write_panoptic_png
from .semantic_copy_paste import (SemanticAwareCopyPaste, images_by_cluster, mask_box, pair_placement,
                                  semantic_aware_paste)

__all__ = [
    'ClusteringError', 'HungarianMatchingMetric', 'KMeansStuff', 'MaskEmbeddingError', 'PanopticLabels',
    'SemanticAwareCopyPaste', 'ThingMask', 'assign_to_centroids', 'cluster_categories', 'cluster_class_counts',
    'cluster_class_names', 'cluster_to_class', 'clustered_pseudo_masks', 'embed_pseudo_masks', 'fit_kmeans',
    'id_to_rgb', 'images_by_cluster', 'mask_box', 'mask_pooled_embedding', 'merge_thing_and_stuff_labels',
    'normalized_patches', 'pair_placement', 'panoptic_categories', 'panoptic_pseudo_labels', 'patch_coverage',
    'png_name', 'relabel_prediction', 'rgb_to_id', 'semantic_aware_paste',
    'write_panoptic_png'
]
