"""DEPTH_SOURCES: per-image depth in [0, 1] (larger = farther, NaN unknown) from files, stereo or models.

Every source is called as ``source(image RGB uint8 H x W x 3, meta) -> float32 H x W`` with ``meta['img_path']``
(absolute), ``meta['rel_path']`` (relative to the image root) and optionally ``meta['unique_stem']`` (no other
image of the run has the same file stem, :mod:`cuts3d.depth.paths`), and maps its raw output through
:class:`~cuts3d.depth.normalize.DepthNormalizer`. The network sources (ZoeDepth, Depth Anything V2, MiDaS DPT from
``transformers``; Marigold from ``diffusers``) also take a list of images at once (``batch``) and load their library
only when built.
"""
from .constant_depth import ConstantDepth
from .depth_anything import DepthAnythingV2
from .depth_png import read_depth_png, write_depth_png
from .dpt_depth import DPTDepth
from .file_depth import DepthFileError, FileDepth, read_depth_file
from .marigold_depth import MarigoldDepth
from .model_depth import ModelDepth
from .normalize import DepthNormalizer, DepthShapeError, normalize_depth, resize_depth
from .paths import AmbiguousCompanionError, CompanionNotFoundError
from .stereo_depth import StereoDepth
from .transformers_depth import TransformersDepth
from .zoedepth import ZoeDepth

__all__ = ['AmbiguousCompanionError', 'CompanionNotFoundError', 'ConstantDepth', 'DPTDepth', 'DepthAnythingV2',
           'DepthFileError', 'DepthNormalizer', 'DepthShapeError', 'FileDepth', 'MarigoldDepth', 'ModelDepth',
           'StereoDepth', 'TransformersDepth', 'ZoeDepth', 'normalize_depth', 'read_depth_file', 'read_depth_png',
           'resize_depth', 'write_depth_png']
