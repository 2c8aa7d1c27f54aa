"""PSEUDO_MASK_GENERATORS (MaskCut / CutS3D loop, multi-k spectral), the extraction and depth runners, the COCO
writer/reader."""
from .coco_reader import PseudoMaskFileError, annotation_confidence, annotation_mask, load_pseudo_masks
from .coco_writer import FG_CATEGORY, annotation_from_instance, generator_info, image_entry, write_coco_json
from .depth_runner import DepthPredictionRunner, depth_png_path
from .distributed import barrier, init_extraction_dist, shutdown_dist
from .extraction_config import ToolConfigError, load_extraction_config, load_tool_config
from .image_list import ImageItem, ImageListError, list_images
from .maskcut_generator import STAGES, MaskCutGenerator
from .multi_k_spectral import MultiKSpectralGenerator
from .part_files import PartWriter, read_records
from .rle import decode_mask, decode_spatial_confidence, encode_mask, encode_spatial_confidence
from .runner import (ExtractionAbortedError, ExtractionRunner, ExtractionSummary, default_work_dir,
                     failures_path)

__all__ = [
    'FG_CATEGORY', 'STAGES', 'DepthPredictionRunner', 'ExtractionAbortedError', 'ExtractionRunner',
    'ExtractionSummary', 'ImageItem', 'ImageListError', 'MaskCutGenerator', 'MultiKSpectralGenerator', 'PartWriter',
    'PseudoMaskFileError', 'ToolConfigError', 'annotation_confidence', 'annotation_from_instance', 'annotation_mask',
    'barrier', 'decode_mask', 'decode_spatial_confidence', 'default_work_dir', 'depth_png_path', 'encode_mask',
    'encode_spatial_confidence', 'failures_path', 'generator_info', 'image_entry', 'init_extraction_dist',
    'list_images', 'load_extraction_config', 'load_pseudo_masks', 'load_tool_config', 'read_records', 'shutdown_dist',
    'write_coco_json'
]
