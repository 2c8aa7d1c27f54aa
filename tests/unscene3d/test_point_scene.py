"""PointScene and as_point_scene: Open3D meshes and point clouds, dicts, and the checks on bad input."""
import numpy as np
import open3d as o3d
import pytest

from cuts3d.unscene3d.point_scene import PointScene, as_point_scene, mesh_edges


def coloured_box():
    mesh = o3d.geometry.TriangleMesh.create_box(1.0, 2.0, 3.0)
    mesh.paint_uniform_color([0.2, 0.4, 0.6])
    return mesh


def arrays(n=5):
    rng = np.random.default_rng(0)
    return dict(points=rng.normal(size=(n, 3)), colors=rng.uniform(size=(n, 3)),
                normals=np.tile([0.0, 0.0, 2.0], (n, 1)))


def test_mesh_gives_vertices_colours_normals_and_its_edges():
    scene = as_point_scene(coloured_box())
    assert len(scene) == 8 and scene.edges.shape == (18, 2)  # 12 triangles of a cube share 18 edges
    assert (scene.edges[:, 0] < scene.edges[:, 1]).all()
    np.testing.assert_allclose(np.linalg.norm(scene.normals, axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(scene.colors, np.tile([0.2, 0.4, 0.6], (8, 1)), atol=1e-6)
    assert scene.colors.dtype == np.float32 and scene.points.dtype == np.float64


def test_mesh_edges_are_unique_and_sorted():
    np.testing.assert_array_equal(mesh_edges([[0, 1, 2], [2, 1, 3]]), [[0, 1], [0, 2], [1, 2], [1, 3], [2, 3]])


def test_point_cloud_and_dict_inputs():
    data = arrays()
    cloud = o3d.geometry.PointCloud(o3d.utility.Vector3dVector(data['points']))
    cloud.colors = o3d.utility.Vector3dVector(data['colors'])
    cloud.normals = o3d.utility.Vector3dVector(data['normals'])
    scene = as_point_scene(cloud)
    assert scene.edges is None and len(scene) == 5
    np.testing.assert_allclose(scene.normals, np.tile([0, 0, 1], (5, 1)))  # normalised
    from_dict = as_point_scene(dict(data, triangles=[[0, 1, 2]]))
    np.testing.assert_array_equal(from_dict.edges, [[0, 1], [0, 2], [1, 2]])
    assert as_point_scene(from_dict) is from_dict


def test_missing_colours_or_normals_are_explained():
    with pytest.raises(ValueError, match='no vertex colours'):
        as_point_scene(o3d.geometry.TriangleMesh.create_box())
    cloud = o3d.geometry.PointCloud(o3d.utility.Vector3dVector(arrays()['points']))
    with pytest.raises(ValueError, match='colours or normals.*orient'):
        as_point_scene(cloud)
    with pytest.raises(ValueError, match='needs points, colors, normals'):
        as_point_scene({'points': np.zeros((3, 3))})
    with pytest.raises(TypeError, match='cannot read a 3D scene from list'):
        as_point_scene([1, 2, 3])


@pytest.mark.parametrize('change, match', [
    (dict(colors=np.full((5, 3), 255.0)), r'colors must be in \[0, 1\]'),
    (dict(points=np.zeros((5, 2))), 'points must be N x 3'),
    (dict(normals=np.zeros((5, 3))), 'zero length'),
    (dict(colors=np.zeros((4, 3))), 'colors must be 5 x 3'),
    (dict(points=np.full((5, 3), np.nan)), 'NaN'),
    (dict(points=np.zeros((2, 3)), colors=np.zeros((2, 3)), normals=np.ones((2, 3))), 'at least 3 points'),
    (dict(edges=np.array([[0, 7]])), 'outside'),
    (dict(edges=np.array([[0.0, 1.0]])), 'integer E x 2'),
])
def test_bad_arrays_are_refused(change, match):
    with pytest.raises(ValueError, match=match):
        PointScene(**{**arrays(), **change})
