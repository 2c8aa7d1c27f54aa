"""The synthetic 3D scenes: deterministic, physically plausible, labelled, and one object colour."""
import numpy as np
import pytest

from cuts3d.unscene3d.synthetic_scenes import OBJECT_COLOR, generate_point_scene


def test_same_arguments_same_scene_and_indices_differ():
    a, b = generate_point_scene(4, seed=2), generate_point_scene(4, seed=2)
    for name in ('points', 'colors', 'normals', 'instance_ids'):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert a.shapes == b.shapes
    other = generate_point_scene(5, seed=2)
    assert other.points.shape != a.points.shape or not np.allclose(other.points, a.points)


@pytest.mark.parametrize('index', range(4))
def test_scene_contents(index):
    scene = generate_point_scene(index, seed=0)
    n = len(scene.shapes)
    assert 3 <= n <= 5 and set(scene.shapes) <= {'box', 'sphere'}
    assert set(np.unique(scene.instance_ids)) == set(range(n + 1))
    np.testing.assert_allclose(np.linalg.norm(scene.normals, axis=1), 1.0, atol=1e-5)
    assert scene.colors.min() >= 0 and scene.colors.max() <= 1
    floor = scene.instance_ids == 0
    np.testing.assert_array_equal(scene.points[floor, 2], 0.0)
    for mask, shape in zip(scene.masks, scene.shapes):
        np.testing.assert_allclose(scene.colors[mask].mean(axis=0), OBJECT_COLOR, atol=0.01)  # one object colour
        assert mask.sum() > 200  # well above the AP evaluation's 100-point minimum
        heights = scene.points[mask, 2]
        assert heights.min() < 0.05 and heights.max() > 0.15  # standing on the floor
        outward = np.einsum('ij,ij->i', scene.normals[mask], scene.points[mask] - scene.points[mask].mean(0))
        assert (outward > 0).mean() > 0.95  # normals point away from the object


def test_open3d_and_point_scene_views():
    scene = generate_point_scene(0)
    cloud = scene.to_open3d()
    assert cloud.has_colors() and cloud.has_normals() and len(cloud.points) == len(scene.points)
    assert len(scene.as_point_scene()) == len(scene.points)


def test_bad_arguments():
    with pytest.raises(ValueError, match='spacing'):
        generate_point_scene(0, spacing=0)
    with pytest.raises(ValueError, match='num_objects'):
        generate_point_scene(0, num_objects=(4, 2))
