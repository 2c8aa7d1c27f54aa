"""Every picture function: uint8 RGB of the expected size, not blank, and clear errors on bad input."""
import numpy as np
import pytest

from cuts3d.visualization import (apply_colormap, distinct_colors, draw_bipartition, draw_depth, draw_eigenvector,
                                  draw_instances, draw_local_cut, draw_predictions, draw_spatial_confidence,
                                  draw_spatial_importance)

H, W = 48, 64
GRID = (6, 8)


@pytest.fixture
def image():
    rng = np.random.default_rng(0)
    return rng.integers(0, 255, (H, W, 3), dtype=np.uint8)


@pytest.fixture
def grid_mask():
    mask = np.zeros(GRID, bool)
    mask[1:4, 2:6] = True
    return mask


def _check(picture, shape=(H, W)):
    assert picture.dtype == np.uint8 and picture.shape == (*shape, 3)
    assert picture.std() > 5, 'picture is blank'


def test_depth_maps_near_bright_far_dark_and_nan_grey():
    depth = np.tile(np.linspace(0, 1, W, dtype=np.float32), (H, 1))
    depth[0, 0] = np.nan
    picture = draw_depth(depth)
    _check(picture)
    assert picture[5, 1].sum() > picture[5, -1].sum()  # near (0) brighter than far (1)
    assert tuple(picture[0, 0]) == (128, 128, 128)


def test_depth_on_the_patch_grid_is_resized(grid_mask):
    _check(draw_depth(grid_mask.astype(np.float32), size=(H, W)))


def test_eigenvector_is_diverging_around_its_mean(image, grid_mask):
    v = np.where(grid_mask, 1.0, -0.4).astype(np.float32)
    picture = draw_eigenvector(v, (H, W), seed=int(np.flatnonzero(grid_mask)[0]))
    _check(picture)
    inside, outside = picture[20, 30].astype(int), picture[2, 2].astype(int)
    assert inside[0] > inside[2] and outside[2] > outside[0]  # red above the mean, blue below
    _check(draw_eigenvector(v, (H, W), image=image))


def test_spatial_importance_and_confidence(image, grid_mask):
    importance = np.linspace(0.45, 1.0, GRID[0] * GRID[1]).reshape(GRID)
    _check(draw_spatial_importance(importance, (H, W), image))
    confidence = np.where(grid_mask, 0.8, 0.0)
    picture = draw_spatial_confidence(confidence, image, mask=grid_mask)
    _check(picture)
    assert (picture[0, 0] <= image[0, 0] // 2 + 1).all()  # outside the map the image is dimmed


def test_bipartition_and_local_cut_overlays(image, grid_mask):
    claimed = np.zeros(GRID, bool)
    claimed[0] = True
    _check(draw_bipartition(image, grid_mask, claimed=claimed, seed=20))
    instance = grid_mask.copy()
    instance[:, 4:] = False
    picture = draw_local_cut(image, grid_mask, instance, source=int(np.flatnonzero(instance)[0]),
                             sink=int(np.flatnonzero(grid_mask & ~instance)[-1]))
    _check(picture)
    assert not np.array_equal(picture, image)
    with pytest.raises(ValueError, match='share the patch grid'):
        draw_local_cut(image, grid_mask, np.ones((3, 3), bool))


def test_instances_get_distinct_colours(image):
    masks = np.zeros((2, H, W), bool)
    masks[0, 5:20, 5:20] = True
    masks[1, 25:40, 30:60] = True
    flat = np.full_like(image, 100)
    picture = draw_instances(flat, masks, scores=[0.9, 0.4])
    _check(picture)
    assert not np.array_equal(picture[12, 12], picture[32, 45])
    with pytest.raises(ValueError, match='2 masks but 1 scores'):
        draw_instances(flat, masks, scores=[0.9])


def test_predictions_respect_the_score_threshold(image):
    flat = np.full_like(image, 100)
    boxes = np.array([[5, 5, 20, 20], [30, 25, 60, 40]], float)
    masks = np.zeros((2, H, W), bool)
    masks[1, 28:38, 33:58] = True
    picture = draw_predictions(flat, boxes, np.array([0.9, 0.2]), masks, score_thr=0.5)
    _check(picture)
    assert (picture[33, 45] == 100).all()  # the low-scoring mask is not drawn
    with pytest.raises(ValueError, match='masks must be N x H x W'):
        draw_predictions(flat, boxes, np.array([0.9, 0.2]), masks[:, :10])


def test_bad_inputs_are_refused(image):
    with pytest.raises(ValueError, match='RGB image'):
        draw_bipartition(np.zeros((H, W, 4), np.uint8), np.ones(GRID, bool))
    with pytest.raises(ValueError, match='uint8'):
        draw_instances(image.astype(np.float32), [])
    with pytest.raises(ValueError, match='2-D'):
        draw_depth(np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match='unknown matplotlib colormap'):
        apply_colormap(np.zeros((2, 2)), 'no_such_map', 0, 1)


def test_distinct_colors_are_distinct():
    colors = distinct_colors(12).astype(int)
    assert colors.shape == (12, 3)
    assert len({tuple(c) for c in colors}) == 12
