import numpy as np
import pytest

from cuts3d.cutting.point_cloud import depth_to_grid, fill_missing_depth, unproject_orthographic


def _brute_median(depth, grid):
    h, w = grid
    rows = (np.arange(depth.shape[0]) * h) // depth.shape[0]
    cols = (np.arange(depth.shape[1]) * w) // depth.shape[1]
    out = np.full(grid, np.nan)
    for i in range(h):
        for j in range(w):
            block = depth[rows == i][:, cols == j]
            if not np.isnan(block).all():
                out[i, j] = np.nanmedian(block)
    return out


def test_unproject_orthographic_coordinates():
    depth = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], dtype=np.float32)
    points = unproject_orthographic(depth)
    assert points.shape == (6, 3)
    # row-major: point y * w + x is (x / w, y / h, D[y, x])
    np.testing.assert_allclose(points[0], [0, 0, 0.1], atol=1e-7)
    np.testing.assert_allclose(points[2], [2 / 3, 0, 0.3], atol=1e-7)
    np.testing.assert_allclose(points[4], [1 / 3, 1 / 2, 0.5], atol=1e-7)


def test_unproject_rejects_nan_and_bad_shape():
    with pytest.raises(ValueError, match='NaN'):
        unproject_orthographic(np.array([[0.1, np.nan]]))
    with pytest.raises(ValueError, match='2-D'):
        unproject_orthographic(np.zeros(4))


@pytest.mark.parametrize('shape, grid', [((16, 16), (2, 2)), ((37, 23), (5, 4))])
def test_median_pooling_matches_per_patch_nanmedian(shape, grid):
    rng = np.random.default_rng(0)
    depth = rng.random(shape).astype(np.float32)
    depth[rng.random(shape) < 0.3] = np.nan
    pooled = depth_to_grid(depth, grid, fill_missing=False)
    np.testing.assert_allclose(pooled, _brute_median(depth, grid), rtol=1e-6)


def test_median_takes_the_majority_surface_where_bilinear_mixes():
    # an object edge through the centre of the right patch: 36 of its 64 pixels at depth 0.2, the rest at 0.9
    depth = np.full((8, 16), 0.9, dtype=np.float32)
    depth[:, :12] = 0.2
    depth[:2, 12:14] = 0.2
    assert depth_to_grid(depth, (1, 2))[0, 1] == pytest.approx(0.2)
    assert 0.2 < depth_to_grid(depth, (1, 2), reduce='bilinear')[0, 1] < 0.9


def test_nan_patches_are_filled_from_neighbours_then_image():
    depth = np.full((40, 40), 0.5, dtype=np.float32)
    depth[:, 20:] = 0.7
    depth[:8, 32:] = np.nan        # one patch without depth, neighbours at 0.7
    depth[16:24, 0:8] = np.nan     # neighbours at 0.5
    grid = depth_to_grid(depth, (5, 5))
    assert not np.isnan(grid).any()
    assert grid[0, 4] == pytest.approx(0.7)
    assert grid[2, 0] == pytest.approx(0.5)
    raw = depth_to_grid(depth, (5, 5), fill_missing=False)
    assert np.isnan(raw[0, 4]) and np.isnan(raw[2, 0])


def test_fill_missing_depth_uses_image_median_inside_large_holes():
    grid = np.full((7, 7), np.nan, dtype=np.float32)
    grid[0, 0], grid[6, 6], grid[0, 6] = 0.2, 0.4, 0.9
    filled = fill_missing_depth(grid)
    assert filled[3, 3] == pytest.approx(0.4)        # no valid neighbour: image median
    assert filled[1, 1] == pytest.approx(0.2)        # one valid neighbour
    assert filled[0, 0] == pytest.approx(0.2)        # valid values are kept


def test_bilinear_ignores_nan():
    depth = np.full((8, 8), 0.3, dtype=np.float32)
    depth[:4, :4] = np.nan
    assert depth_to_grid(depth, (2, 2), reduce='bilinear', fill_missing=False)[1, 1] == pytest.approx(0.3)


@pytest.mark.parametrize('reduce', ['median', 'bilinear'])
def test_depth_thinner_than_the_grid_is_repeated_not_refused(reduce):
    """A 2 x 100 depth map (a 5000 x 20 image) on a 6 x 6 grid: each grid row takes the depth row it falls on."""
    depth = np.stack([np.full(100, 0.2), np.full(100, 0.8)]).astype(np.float32)
    grid = depth_to_grid(depth, (6, 6), reduce=reduce)
    assert grid.shape == (6, 6) and np.isfinite(grid).all()
    np.testing.assert_allclose(grid[:3], 0.2, atol=1e-6)
    np.testing.assert_allclose(grid[3:], 0.8, atol=1e-6)


def test_depth_to_grid_bad_input():
    with pytest.raises(ValueError, match='no valid'):
        depth_to_grid(np.full((8, 8), np.nan, dtype=np.float32), (2, 2))
    with pytest.raises(ValueError, match='unknown depth reduction'):
        depth_to_grid(np.zeros((8, 8)), (2, 2), reduce='mean')
    with pytest.raises(ValueError, match='2-D'):
        depth_to_grid(np.zeros((4, 4, 3)), (2, 2))
