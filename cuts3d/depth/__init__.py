"""DEPTH_SOURCES: per-image depth in [0, 1] (larger = farther, NaN unknown) from files, stereo or models.

Every source is called as ``source(image RGB uint8 H x W x 3, meta) -> float32 H x W`` with ``meta['img_path']``
(absolute), ``meta['rel_path']`` (relative to the image root) and optionally ``meta['unique_stem']`` (no other
image of the run has the same file stem, :mod:`cuts3d.depth.paths`), and maps its raw output through
:class:`~cuts3d.depth.normalize.DepthNormalizer`.
"""
from .constant_depth import ConstantDepth
from .file_depth import DepthFileError, FileDepth, read_depth_file
from .monocular_depth import MonocularDepth
from .normalize import DepthNormalizer, DepthShapeError, normalize_depth, resize_depth
from .paths import AmbiguousCompanionError, CompanionNotFoundError
from .stereo_depth import StereoDepth

__all__ = ['AmbiguousCompanionError', 'CompanionNotFoundError', 'ConstantDepth', 'DepthFileError', 'DepthNormalizer',
           'DepthShapeError', 'FileDepth', 'MonocularDepth', 'StereoDepth', 'normalize_depth', 'read_depth_file',
           'resize_depth']
