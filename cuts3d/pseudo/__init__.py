"""PSEUDO_MASK_GENERATORS (the MaskCut / CutS3D loop), the extraction runner, the COCO writer and reader."""
from .coco_reader import PseudoMaskFileError, annotation_confidence, annotation_mask, load_pseudo_masks
from .coco_writer import annotation_from_instance, generator_info, image_entry, write_coco_json
from .distributed import barrier, init_extraction_dist, shutdown_dist
from .extraction_config import ToolConfigError, load_extraction_config, load_tool_config
from .image_list import ImageItem, ImageListError, list_images
from .maskcut_generator import STAGES, MaskCutGenerator
from .part_files import PartWriter, read_records
from .runner import ExtractionAbortedError, ExtractionRunner, ExtractionSummary, failures_path, output_work_dir

__all__ = [
    'STAGES', 'ExtractionAbortedError', 'ExtractionRunner', 'ExtractionSummary', 'ImageItem', 'ImageListError',
    'MaskCutGenerator', 'PartWriter', 'PseudoMaskFileError', 'ToolConfigError', 'annotation_confidence',
    'annotation_from_instance', 'annotation_mask', 'barrier', 'failures_path', 'generator_info', 'image_entry',
    'init_extraction_dist', 'list_images', 'load_extraction_config', 'load_pseudo_masks', 'load_tool_config',
    'output_work_dir', 'read_records', 'shutdown_dist', 'write_coco_json'
]
