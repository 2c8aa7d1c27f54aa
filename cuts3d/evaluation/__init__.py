"""Class-agnostic COCO metrics (training-side mmdet metric and raw pseudo-mask evaluation)."""
from .class_agnostic_metric import ClassAgnosticCocoMetric, collapse_categories
from .pseudo_mask_eval import (STAT_NAMES, EvaluationInputError, class_agnostic_ground_truth, evaluate_detections,
                               evaluate_pseudo_masks, format_table, match_images, pseudo_masks_as_detections)

__all__ = [
    'STAT_NAMES', 'ClassAgnosticCocoMetric', 'EvaluationInputError', 'class_agnostic_ground_truth',
    'collapse_categories', 'evaluate_detections', 'evaluate_pseudo_masks', 'format_table', 'match_images',
    'pseudo_masks_as_detections'
]
