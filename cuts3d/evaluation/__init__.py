"""Metrics: the class-agnostic COCO metric (METRICS), raw pseudo-mask evaluation, the self-training metric that
writes the next round's annotations (``SelfTrainingAnnotator``, METRICS), and the writer of a detector's predictions
on photos without ground truth. Importing this package registers the metrics; the METRICS registry imports it when a
config names one of them."""
from .class_agnostic_metric import ClassAgnosticCocoMetric, collapse_categories
from .coco_results_writer import CocoResultsWriter
from .coco_validation import CocoFileError, validate_coco
from .pseudo_mask_eval import (STAT_NAMES, EvaluationInputError, class_agnostic_ground_truth, evaluate_detections,
                               evaluate_pseudo_masks, format_table, load_ground_truth, match_images,
                               pseudo_masks_as_detections)
from .self_training_annotator import SelfTrainingAnnotator
from .self_training_merge import build_round_annotations, merge_with_previous, prediction_annotation

__all__ = [
    'STAT_NAMES', 'ClassAgnosticCocoMetric', 'CocoFileError', 'CocoResultsWriter', 'EvaluationInputError',
    'SelfTrainingAnnotator', 'build_round_annotations', 'class_agnostic_ground_truth', 'collapse_categories',
    'evaluate_detections', 'evaluate_pseudo_masks', 'format_table', 'load_ground_truth', 'match_images',
    'merge_with_previous', 'prediction_annotation', 'pseudo_masks_as_detections', 'validate_coco'
]
