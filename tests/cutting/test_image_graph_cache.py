"""The per-image graph state of NCutCutter (cuts3d/cutting/image_graph_cache.py)."""
import gc

import numpy as np
import pytest

from cuts3d.cutting.image_graph_cache import ImageGraph, ImageGraphCache, identical_row_groups
from cuts3d.structures import CutContext, PatchFeatures


def image(depth: bool = False):
    feats = PatchFeatures(np.zeros((2, 3, 3), np.float32), 8, (24, 24))
    context = CutContext(image=np.zeros((24, 24, 3), np.uint8), grid=(3, 3),
                         depth=np.zeros((3, 3), np.float32) if depth else None)
    return feats, context


class Builder:
    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return ImageGraph(pattern=self.calls, groups=None)


def test_the_cuts_of_one_image_share_one_entry():
    cache, build = ImageGraphCache(), Builder()
    feats, context = image(depth=True)
    first = cache.get(feats, context, build)
    assert cache.get(feats, context, build) is first
    assert build.calls == 1


def test_new_features_context_or_depth_objects_are_a_new_image():
    cache, build = ImageGraphCache(capacity=8), Builder()
    feats, context = image(depth=True)
    cache.get(feats, context, build)
    cache.get(feats, image()[1], build)
    feats.feats = feats.feats.copy()
    cache.get(feats, context, build)
    context.depth = context.depth.copy()
    cache.get(feats, context, build)
    assert build.calls == 4


def test_entries_of_freed_images_are_dropped_and_capacity_is_kept():
    cache, build = ImageGraphCache(capacity=2), Builder()
    feats, context = image()
    cache.get(feats, context, build)
    del feats, context
    gc.collect()
    kept = [image() for _ in range(3)]
    cache.get(*kept[0], build)
    assert len(cache) == 1
    for item in kept:
        cache.get(*item, build)
    assert len(cache) == 2
    cache.get(*kept[0], build, keep=3)
    cache.get(*kept[1], build, keep=3)
    assert len(cache) == 3
    with pytest.raises(ValueError, match='capacity of at least 1'):
        ImageGraphCache(capacity=0)


def test_identical_rows_share_a_group():
    pattern = np.array([[1, 1, 0, 0],
                        [1, 1, 0, 0],
                        [0, 0, 1, 0],
                        [0, 0, 0, 1]], bool)
    groups = identical_row_groups(pattern)
    assert groups[0] == groups[1] and len(set(groups.tolist())) == 3
