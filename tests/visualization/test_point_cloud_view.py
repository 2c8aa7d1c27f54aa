"""The offscreen point-cloud renderer: near points cover far ones, labels get their colours."""
import numpy as np
import pytest

from cuts3d.visualization import draw_point_cloud, local_cut_point_labels, render_points
from cuts3d.visualization.point_cloud_view import CUT_AWAY, INSTANCE, LOCAL_CUT_PALETTE, OUTSIDE, view_rotation

RED, BLUE = (255, 0, 0), (0, 0, 255)


def _far_layer():
    """A 10 x 10 grid of points at depth 0.9 and the mask of its central 4 x 4 block."""
    ys, xs = np.mgrid[0:10, 0:10] / 9.0
    far = np.stack([xs.ravel(), ys.ravel(), np.full(100, 0.9)], axis=1)
    central = (np.abs(far[:, 0] - 0.5) < 0.2) & (np.abs(far[:, 1] - 0.5) < 0.2)
    return far, central


@pytest.mark.parametrize('elevation, azimuth', [(0, 0), (20, -45), (35, 30)])
@pytest.mark.parametrize('near_color, far_color', [(RED, BLUE), (BLUE, RED)])
def test_near_points_are_drawn_over_far_ones(elevation, azimuth, near_color, far_color):
    """A near copy of the central block, moved towards the viewer along the viewing ray, projects onto the same
    pixels as the block: there the near colour must win, whatever the order of the points."""
    far, central = _far_layer()
    marker = np.array([(0, 255, 0) if c else far_color for c in central], np.uint8)
    seen = render_points(far, marker, (80, 80), elevation, azimuth, point_radius=4)
    block = (seen[..., 1] > 100) & (seen[..., 0] < 100) & (seen[..., 2] < 100)
    assert block.sum() > 50
    # View space is (x, -y, -D) rotated; moving by S R^T e_z (S = diag(1, -1, -1)) changes only the view depth.
    toward_viewer = np.array([1.0, -1.0, -1.0]) * view_rotation(elevation, azimuth).T[:, 2]
    near = far[central] + 0.5 * toward_viewer
    for order in (1, -1):
        points = np.concatenate([far, near])[::order]
        colors = np.array([far_color] * len(far) + [near_color] * len(near), np.uint8)[::order]
        picture = render_points(points, colors, (80, 80), elevation, azimuth, point_radius=4)
        assert picture.shape == (80, 80, 3) and picture.dtype == np.uint8
        pixels = picture[block].astype(int)
        near_channel = 0 if near_color == RED else 2
        assert (pixels[:, near_channel] > pixels[:, 2 - near_channel]).all()
        assert (picture[~block][:, 2 - near_channel] > 100).any()  # the far layer shows around the block


def test_front_view_keeps_the_layout():
    """Seen from the front (no rotation), x grows to the right and y downwards as in the image."""
    points = np.array([[0.0, 0.0, 0.5], [1.0, 0.0, 0.5], [0.0, 1.0, 0.5], [1.0, 1.0, 0.5]])
    colors = np.array([RED, BLUE, BLUE, BLUE], np.uint8)
    picture = render_points(points, colors, (60, 60), elevation=0, azimuth=0, point_radius=3)
    top_left = picture[:30, :30].reshape(-1, 3).astype(int)
    assert (top_left[:, 0] > top_left[:, 2]).any() and not (top_left[:, 2] > top_left[:, 0]).any()


def test_view_rotation_is_orthonormal():
    rotation = view_rotation(20, -45)
    np.testing.assert_allclose(rotation @ rotation.T, np.eye(3), atol=1e-12)


def test_local_cut_labels_and_picture():
    bipartition = np.zeros((4, 5), bool)
    bipartition[1:3, 1:4] = True
    instance = np.zeros_like(bipartition)
    instance[1:3, 1] = True
    labels = local_cut_point_labels(bipartition, instance)
    assert labels.shape == (20,)
    assert (labels == INSTANCE).sum() == 2 and (labels == CUT_AWAY).sum() == 4 and (labels == OUTSIDE).sum() == 14
    ys, xs = np.mgrid[0:4, 0:5]
    points = np.stack([xs.ravel() / 5, ys.ravel() / 4, np.where(instance, 0.2, 0.8).ravel()], axis=1)
    picture = draw_point_cloud(points, labels, (64, 64))
    assert picture.shape == (64, 64, 3) and picture.std() > 5
    flat = picture.reshape(-1, 3)
    assert (np.abs(flat.astype(int) - LOCAL_CUT_PALETTE[INSTANCE]).sum(1) < 60).any()


def test_bad_point_clouds_are_refused():
    with pytest.raises(ValueError, match='N x 3'):
        render_points(np.zeros((0, 3)), np.zeros((0, 3), np.uint8))
    with pytest.raises(ValueError, match='colors must be uint8'):
        render_points(np.zeros((2, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match='NaN'):
        render_points(np.full((2, 3), np.nan), np.zeros((2, 3), np.uint8))
    with pytest.raises(ValueError, match='no colour'):
        draw_point_cloud(np.zeros((2, 3)), np.array([0, 7]))
    with pytest.raises(ValueError, match='2 points but 3 labels'):
        draw_point_cloud(np.zeros((2, 3)), np.array([0, 1, 2]))
