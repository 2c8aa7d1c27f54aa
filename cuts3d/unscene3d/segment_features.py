"""Segment feature sources: one modality each, averaged over the points of every segment (UnScene3D sec. 4.2).

A source is ``__call__(scene, segment_ids, num_segments) -> float32 S x D``. UnScene3D averages self-supervised
features per segment: 3D features of a sparse-voxel UNet pre-trained with Contrastive Scene Contexts, and DINO
features of the RGB frames projected onto the mesh with the camera poses. Neither network's weights exist here, so
the weight-free default is one source per raw modality:

* :class:`SegmentMeanColor`: the segment's mean colour, centred on the mean colour of all segments, so the
  cosine similarity compares colours relative to the scene's average (raw RGB vectors all point into the same
  octant and have cosines near 1);
* :class:`SegmentMeanNormal`: the segment's mean unit normal (cosine = the angle between mean normals).

Extension (documented, not implemented): a 2D-projection source would run a FEATURE_EXTRACTOR on every RGB frame,
project each point into the frames that see it (camera intrinsics, pose, depth test against the frame's depth map),
average the patch features it lands on, then average per segment like these sources. It needs posed RGB-D frames,
which :class:`~cuts3d.unscene3d.point_scene.PointScene` does not carry.
"""
from __future__ import annotations

import numpy as np

from .point_scene import PointScene
from ..registry import SEGMENT_FEATURES


def segment_means(values: np.ndarray, segment_ids: np.ndarray, num_segments: int) -> np.ndarray:
    """Per-segment mean of per-point ``values`` (``N x D``), float64 ``S x D``; an empty segment gets zeros."""
    if len(segment_ids) != len(values):
        raise ValueError(f'{len(segment_ids)} segment ids for {len(values)} points')
    if len(segment_ids) and (segment_ids.min() < 0 or segment_ids.max() >= num_segments):
        raise ValueError(f'segment ids must lie in 0 .. {num_segments - 1}')
    sums = np.zeros((num_segments, values.shape[1]))
    np.add.at(sums, segment_ids, values)
    counts = np.bincount(segment_ids, minlength=num_segments)[:, None]
    return np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)


@SEGMENT_FEATURES.register_module()
class SegmentMeanColor:
    """Mean colour per segment minus the mean over segments (``center=False`` keeps raw RGB), ``S x 3``."""

    def __init__(self, center: bool = True) -> None:
        self.center = bool(center)

    def __call__(self, scene: PointScene, segment_ids: np.ndarray, num_segments: int) -> np.ndarray:
        means = segment_means(scene.colors.astype(np.float64), segment_ids, num_segments)
        if self.center:
            means -= means.mean(axis=0, keepdims=True)
        return means.astype(np.float32)


@SEGMENT_FEATURES.register_module()
class SegmentMeanNormal:
    """Mean oriented normal per segment, ``S x 3`` (its length shrinks on curved segments; cosine ignores it)."""

    def __call__(self, scene: PointScene, segment_ids: np.ndarray, num_segments: int) -> np.ndarray:
        return segment_means(scene.normals.astype(np.float64), segment_ids, num_segments).astype(np.float32)
