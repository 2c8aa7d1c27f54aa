"""A MaskCutGenerator on colour features for the visualization tests: CutS3D components when given a depth map
(the scene's ground truth), CutLER's without."""
from __future__ import annotations

import numpy as np

from cuts3d.registry import PSEUDO_MASK_GENERATORS, build_component

SIZE = 96


class SceneDepth:
    """Depth source that returns the synthetic scene's ground-truth depth."""

    def __init__(self, depth: np.ndarray) -> None:
        self.depth = depth

    def __call__(self, image: np.ndarray, meta: dict) -> np.ndarray:
        return self.depth


def colour_maskcut_generator(depth: np.ndarray | None = None, spatial_importance: bool = True, num_cuts: int = 2,
                             stop_on_rest: bool = False):
    """With ``depth``: SceneDepth, SpatialImportance (unless ``spatial_importance`` is False), LocalCut and
    SpatialConfidence; without: no depth, ConnectedComponent2D and ConstantConfidence. Inputs are ``SIZE`` square."""
    with_depth = depth is not None
    modifiers = [dict(type='SpatialImportance')] if with_depth and spatial_importance else []
    return build_component(dict(
        type='MaskCutGenerator',
        feature_extractor=dict(type='PatchColorFeatures', patch_size=8, input_size=(SIZE, SIZE)),
        depth_source=SceneDepth(depth) if with_depth else None,
        cutter=dict(type='NCutCutter', affinity_modifiers=modifiers),
        partitioner=dict(type='LocalCut' if with_depth else 'ConnectedComponent2D'),
        confidence=dict(type='SpatialConfidence' if with_depth else 'ConstantConfidence'),
        refiner=dict(type='NoRefiner'), num_cuts=num_cuts, stop_on_rest=stop_on_rest), PSEUDO_MASK_GENERATORS)
