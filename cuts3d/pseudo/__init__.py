"""PSEUDO_MASK_GENERATORS (MaskCut / CutS3D loop, multi-k spectral), the extraction and depth runners, the COCO
writer/reader."""
from .coco_reader import PseudoMaskFileError, annotation_confidence, annotation_mask, load_pseudo_masks
from .coco_writer import FG_CATEGORY, annotation_from_instance, generator_info, image_entry, write_coco_json
from .depth_runner import DepthPredictionRunner, depth_png_path
from .distributed import barrier, init_extraction_dist, shutdown_dist
from .dry_run import GeneratorConfigError, build_checked_generator, dry_run
from .extraction_config import ToolConfigError, extraction_options, load_extraction_config, load_tool_config
from .image_list import ImageItem, ImageListError, list_images
from .maskcut_generator import STAGES, MaskCutGenerator
from .multi_k_spectral import MultiKSpectralGenerator
from .part_files import PartWriter, read_records
from .rle import decode_mask, decode_spatial_confidence, encode_mask, encode_spatial_confidence
from .runner import (ExtractionAbortedError, ExtractionRunner, ExtractionSetupError, ExtractionSummary,
                     default_work_dir, failures_path)
from .work_dir_lock import WorkDirLock, WorkDirLockedError

__all__ = [
    'DepthPredictionRunner', 'ExtractionAbortedError', 'ExtractionRunner', 'ExtractionSetupError',
    'ExtractionSummary', 'FG_CATEGORY', 'GeneratorConfigError', 'ImageItem', 'ImageListError', 'MaskCutGenerator',
    'MultiKSpectralGenerator', 'PartWriter', 'PseudoMaskFileError', 'STAGES', 'ToolConfigError', 'WorkDirLock',
    'WorkDirLockedError', 'annotation_confidence', 'annotation_from_instance', 'annotation_mask', 'barrier',
    'build_checked_generator', 'decode_mask', 'decode_spatial_confidence', 'default_work_dir', 'depth_png_path',
    'dry_run', 'encode_mask', 'encode_spatial_confidence', 'extraction_options', 'failures_path', 'generator_info',
    'image_entry', 'init_extraction_dist', 'list_images', 'load_extraction_config', 'load_pseudo_masks',
    'load_tool_config', 'read_records', 'shutdown_dist', 'write_coco_json'
]
