"""Engstler et al. ("Understanding Self-Supervised Features for Learning Unsupervised Instance Segmentation") over the
project's components: the multi-k spectral clustering pseudo-mask generator (PSEUDO_MASK_GENERATORS).

The detector stage is mmdet's SOLOv2 in a config (``configs/engstler/``); ``docs/neighbours.md`` says what is
reused and which choices the paper leaves open.
"""
from .multi_k_spectral import (MultiKSpectralGenerator, border_foreground, kmeans_labels, mask_iou_matrix, mask_nms,
                               saliency_on_grid, saliency_overlap, spectral_affinity, spectral_clusters,
                               spectral_embedding, split_components)

__all__ = [
    'MultiKSpectralGenerator', 'border_foreground', 'kmeans_labels', 'mask_iou_matrix', 'mask_nms',
    'saliency_on_grid', 'saliency_overlap', 'spectral_affinity', 'spectral_clusters', 'spectral_embedding',
    'split_components'
]
