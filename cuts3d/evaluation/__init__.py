"""Class-agnostic COCO metrics (training-side mmdet metric and raw pseudo-mask evaluation), and the writer of a
detector's predictions on photos without ground truth."""
from .class_agnostic_metric import ClassAgnosticCocoMetric, collapse_categories
from .coco_results_writer import CocoResultsWriter
from .coco_validation import CocoFileError, validate_coco
from .pseudo_mask_eval import (STAT_NAMES, EvaluationInputError, class_agnostic_ground_truth, evaluate_detections,
                               evaluate_pseudo_masks, format_table, load_ground_truth, match_images,
                               pseudo_masks_as_detections)

__all__ = [
    'STAT_NAMES', 'ClassAgnosticCocoMetric', 'CocoFileError', 'CocoResultsWriter', 'EvaluationInputError',
    'class_agnostic_ground_truth', 'collapse_categories', 'evaluate_detections', 'evaluate_pseudo_masks',
    'format_table', 'load_ground_truth', 'match_images', 'pseudo_masks_as_detections', 'validate_coco'
]
