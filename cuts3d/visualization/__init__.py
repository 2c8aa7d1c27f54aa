"""Pictures of every stage: depth, eigenvectors, cuts, point clouds, confidence maps, predictions.

Each ``draw_*`` function takes plain numpy inputs (images, depth maps, patch grids, point arrays, labels) and
returns a uint8 RGB ``H x W x 3`` picture; :mod:`.report` gathers pictures and metrics into one HTML page.
"""
from .bipartition import draw_bipartition
from .canvas import apply_colormap, distinct_colors, save_png
from .confidence import draw_spatial_confidence
from .depth import draw_depth
from .detection_files import DetectionFileError, Detections, load_detections, segmentation_mask
from .eigenvector import draw_eigenvector
from .local_cut_view import draw_local_cut
from .masks import draw_instances
from .point_cloud_view import draw_point_cloud, local_cut_point_labels, render_points
from .predictions import draw_predictions
from .recorder import CutRecord, ImageRecord, StageRecorder
from .report import ReportRow, metrics_table, save_row, write_report
from .spatial_importance_view import draw_spatial_importance
from .stages import display_size, stage_pictures

__all__ = [
    'CutRecord', 'DetectionFileError', 'Detections', 'ImageRecord', 'ReportRow', 'StageRecorder',
    'apply_colormap', 'display_size', 'distinct_colors', 'draw_bipartition', 'draw_depth', 'draw_eigenvector',
    'draw_instances', 'draw_local_cut', 'draw_point_cloud', 'draw_predictions', 'draw_spatial_confidence',
    'draw_spatial_importance', 'load_detections', 'local_cut_point_labels', 'metrics_table', 'render_points',
    'save_png', 'save_row', 'segmentation_mask', 'stage_pictures', 'write_report'
]
