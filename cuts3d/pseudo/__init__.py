"""PSEUDO_MASK_GENERATORS (the MaskCut / CutS3D loop), the extraction and depth runners, the COCO writer and
reader."""
from .coco_reader import PseudoMaskFileError, annotation_confidence, annotation_mask, load_pseudo_masks
from .coco_writer import annotation_from_instance, generator_info, image_entry, write_coco_json
from .depth_runner import DepthPredictionRunner, depth_png_path
from .distributed import barrier, init_extraction_dist, shutdown_dist
from .dry_run import GeneratorConfigError, build_checked_generator, dry_run
from .extraction_config import ToolConfigError, extraction_options, load_extraction_config, load_tool_config
from .image_list import ImageItem, ImageListError, list_images
from .maskcut_generator import STAGES, MaskCutGenerator
from .part_files import PartWriter, read_records
from .runner import (ExtractionAbortedError, ExtractionRunner, ExtractionSetupError, ExtractionSummary,
                     failure_record, failures_path, output_work_dir)
from .work_dir_lock import WorkDirLock, WorkDirLockedError

__all__ = [
    'DepthPredictionRunner', 'ExtractionAbortedError', 'ExtractionRunner', 'ExtractionSetupError',
    'ExtractionSummary', 'GeneratorConfigError', 'ImageItem', 'ImageListError', 'MaskCutGenerator', 'PartWriter',
    'PseudoMaskFileError', 'STAGES', 'ToolConfigError', 'WorkDirLock', 'WorkDirLockedError', 'annotation_confidence',
    'annotation_from_instance', 'annotation_mask', 'barrier', 'build_checked_generator', 'depth_png_path', 'dry_run',
    'extraction_options', 'failure_record', 'failures_path', 'generator_info', 'image_entry', 'init_extraction_dist',
    'list_images', 'load_extraction_config', 'load_pseudo_masks', 'load_tool_config', 'output_work_dir',
    'read_records', 'shutdown_dist', 'write_coco_json'
]
