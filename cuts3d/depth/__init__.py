"""DEPTH_SOURCES: per-image depth in [0, 1] (larger = farther, NaN unknown) from files, stereo or models.

Every source is called as ``source(image RGB uint8 H x W x 3, meta) -> float32 H x W`` with ``meta['img_path']``
(absolute) and ``meta['rel_path']`` (relative to the image root), and maps its raw output through
:class:`~cuts3d.depth.normalize.DepthNormalizer`.
"""
from .constant_depth import ConstantDepth
from .file_depth import FileDepth, read_depth_file
from .monocular_depth import MonocularDepth
from .normalize import DepthNormalizer, DepthShapeError, normalize_depth, resize_depth
from .stereo_depth import StereoDepth

__all__ = ['ConstantDepth', 'DepthNormalizer', 'DepthShapeError', 'FileDepth', 'MonocularDepth', 'StereoDepth',
           'normalize_depth', 'read_depth_file', 'resize_depth']
