"""All stage pictures of one image, from an :class:`~cuts3d.visualization.recorder.ImageRecord`.

The order follows the pipeline: image and depth, then per cut the NCut eigenvector, the semantic bipartition, the
partitioner's instance (LocalCut or the 2D connected component) and the bipartition's point cloud coloured by it,
the Spatial Confidence map of the kept instance, and finally the pseudo-masks, ground truth and predictions.
"""
from __future__ import annotations

import cv2
import numpy as np

from ..cutting.point_cloud import unproject_orthographic
from .bipartition import draw_bipartition
from .canvas import check_image
from .confidence import draw_spatial_confidence
from .depth import draw_depth
from .detection_files import Detections
from .eigenvector import draw_eigenvector
from .local_cut_view import draw_local_cut
from .masks import draw_instances
from .point_cloud_view import draw_point_cloud, local_cut_point_labels
from .predictions import draw_predictions
from .recorder import ImageRecord
from .spatial_importance_view import draw_spatial_importance


def display_size(shape: tuple[int, ...], max_side: int) -> tuple[int, int]:
    """``(H, W)`` of ``shape`` scaled down (never up) so that the longer side is at most ``max_side``."""
    scale = min(1.0, max_side / max(shape[:2]))
    return max(1, round(shape[0] * scale)), max(1, round(shape[1] * scale))


def _resize_image(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return cv2.resize(image, (size[1], size[0]), interpolation=cv2.INTER_AREA)


def _resize_masks(masks: np.ndarray | list[np.ndarray], size: tuple[int, int]) -> list[np.ndarray]:
    return [cv2.resize(np.asarray(m, np.uint8), (size[1], size[0]), interpolation=cv2.INTER_NEAREST).astype(bool)
            for m in masks]


def _cut_pictures(record: ImageRecord, shown: np.ndarray, partition_label: str) -> dict[str, np.ndarray]:
    size = shown.shape[:2]
    context = record.context
    pictures: dict[str, np.ndarray] = {}
    by_cut = {inst.provenance.get('cut_index'): inst for inst in record.instances}
    for cut_record in record.cuts:
        cut, name = cut_record.cut, f'cut {cut_record.index}'
        importance = cut_record.extras.get('spatial_importance')
        if importance is not None and 'spatial importance' not in pictures:
            pictures['spatial importance'] = draw_spatial_importance(importance, size, shown)
        pictures[f'{name}: eigenvector'] = draw_eigenvector(cut.eigenvector, size, seed=cut.seed, image=shown)
        pictures[f'{name}: bipartition'] = draw_bipartition(shown, cut.bipartition, claimed=cut_record.claimed,
                                                            seed=cut.seed)
        if cut_record.partition is None:
            continue
        pictures[f'{name}: {partition_label}'] = draw_local_cut(shown, cut.bipartition & ~cut_record.claimed,
                                                                cut_record.partition & ~cut_record.claimed)
        if context is not None and context.depth is not None:
            labels = local_cut_point_labels(cut.bipartition & ~cut_record.claimed,
                                            cut_record.partition & ~cut_record.claimed)
            pictures[f'{name}: point cloud'] = draw_point_cloud(unproject_orthographic(context.depth), labels,
                                                                (size[0], size[0]))
        instance = by_cut.get(cut_record.index)
        if instance is not None:
            mask = _resize_masks([instance.mask], size)[0]
            confidence = cv2.resize(instance.confidence, (size[1], size[0]), interpolation=cv2.INTER_LINEAR)
            pictures[f'{name}: spatial confidence'] = draw_spatial_confidence(confidence * mask, shown, mask)
    return pictures


def stage_pictures(image: np.ndarray, record: ImageRecord, partition_label: str = 'partition',
                   ground_truth: list[np.ndarray] | None = None, detections: Detections | None = None,
                   score_thr: float = 0.3, max_side: int = 384) -> dict[str, np.ndarray]:
    """Caption -> RGB uint8 picture for every recorded stage of one image, all at the image's aspect with the
    longer side at most ``max_side`` (point clouds square). ``partition_label`` names the partitioner's picture
    (e.g. ``'LocalCut'``); ``ground_truth`` masks and ``detections`` (those scoring at least ``score_thr``) are
    drawn when given."""
    image = check_image(image)
    size = display_size(image.shape, max_side)
    shown = _resize_image(image, size)
    pictures = {'image': shown}
    if record.depth is not None:
        pictures['depth'] = draw_depth(cv2.resize(record.depth, (size[1], size[0]),
                                                  interpolation=cv2.INTER_NEAREST))
    if record.context is not None and record.context.depth is not None:
        pictures['depth (patch grid)'] = draw_depth(record.context.depth, size)
    pictures.update(_cut_pictures(record, shown, partition_label))
    pictures['pseudo-masks'] = draw_instances(shown, _resize_masks([i.mask for i in record.instances], size),
                                              [i.score for i in record.instances])
    if ground_truth is not None:
        pictures['ground truth'] = draw_instances(shown, _resize_masks(ground_truth, size))
    if detections is not None:
        scale = np.array([size[1] / image.shape[1], size[0] / image.shape[0]] * 2)
        masks = None
        if detections.masks is not None and len(detections.masks):
            masks = np.stack(_resize_masks(detections.masks, size))
        pictures['predictions'] = draw_predictions(shown, detections.boxes * scale, detections.scores, masks,
                                                   score_thr=score_thr)
    return pictures
