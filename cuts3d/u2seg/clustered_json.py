"""The clustered pseudo-mask file: the class-agnostic json with each mask's pseudo class as its category.

Everything of the input file is kept (images, RLEs, ``score``, ``spatial_confidence``, ``provenance``); the single
``fg`` category is replaced by ``C`` categories ``{'id': k, 'name': 'cluster_k'}`` for ``k = 1..C`` and every
annotation's ``category_id`` becomes its cluster id plus one, so mmdet's ``CocoDataset`` (with
``metainfo=dict(classes=cluster_class_names(C))``), detectron2 and pycocotools load it unchanged. ``info`` gains a
``clustering`` block saying how the classes were made.
"""
from __future__ import annotations

import copy

import numpy as np


def cluster_class_names(num_clusters: int) -> tuple[str, ...]:
    """``('cluster_1', ..., 'cluster_C')``: the class names of a clustered file, in category-id order."""
    return tuple(f'cluster_{k}' for k in range(1, num_clusters + 1))


def cluster_categories(num_clusters: int) -> list[dict]:
    """COCO categories ``{'id': k, 'name': 'cluster_k', 'supercategory': 'fg'}`` for ``k = 1..C``."""
    return [{'id': k, 'name': name, 'supercategory': 'fg'}
            for k, name in enumerate(cluster_class_names(num_clusters), start=1)]


def clustered_pseudo_masks(data: dict, labels: np.ndarray, num_clusters: int, clustering_info: dict) -> dict:
    """A copy of the pseudo-mask json ``data`` with annotation ``i`` in category ``labels[i] + 1``.

    Raises:
        ValueError: when ``labels`` does not hold one id in ``0..C-1`` per annotation.
    """
    labels = np.asarray(labels)
    if labels.shape != (len(data['annotations']), ):
        raise ValueError(f'{len(data["annotations"])} annotations but labels of shape {labels.shape}')
    if len(labels) and (labels.min() < 0 or labels.max() >= num_clusters):
        raise ValueError(f'cluster ids must lie in 0..{num_clusters - 1}; got {labels.min()}..{labels.max()}')
    out = {key: value for key, value in data.items() if key != 'annotations'}
    out['info'] = dict(copy.deepcopy(data.get('info') or {}), clustering=clustering_info)
    out['categories'] = cluster_categories(num_clusters)
    out['annotations'] = [dict(ann, category_id=int(label) + 1) for ann, label in zip(data['annotations'], labels)]
    return out
