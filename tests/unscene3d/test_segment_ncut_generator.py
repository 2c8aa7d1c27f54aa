"""SegmentNCutGenerator on synthetic point clouds and meshes, its config, and its AP on synthetic scenes."""
import numpy as np
import open3d as o3d
import pytest
from mmengine.config import Config

from cuts3d.registry import PSEUDO_MASK_GENERATORS, build_component
from cuts3d.unscene3d import SegmentNCutGenerator, evaluate_instance_ap, generate_point_scene

CONFIG = 'configs/unscene3d/segment_ncut_synthetic.py'


def config_generator():
    return build_component(Config.fromfile(CONFIG).pseudo_mask_generator.to_dict(), PSEUDO_MASK_GENERATORS)


def iou(a, b):
    return (a & b).sum() / (a | b).sum()


def test_config_loads_and_finds_the_objects_of_synthetic_scenes():
    """AP@50 on scenes 0-3 of seed 5. Measured with this config: 1.0 on 20 scenes each of seeds 0 and 1 (80 and 81
    objects, every object a mask of IoU 1 ranked before any floor mask). The bound leaves room for one object
    lost or ranked behind a floor mask on these four scenes; a regression that merges objects or takes the floor
    first (as with color_weight 0: AP@50 0.09) fails it."""
    cfg = Config.fromfile(CONFIG)
    assert cfg.pseudo_mask_generator.tau_cut == 0.65 and cfg.pseudo_mask_generator.max_instances == 20
    generator = config_generator()
    scenes = [generate_point_scene(i, **dict(cfg.synthetic_scenes, seed=5)) for i in range(4)]
    predictions = [generator(scene.as_point_scene()) for scene in scenes]
    result = evaluate_instance_ap(predictions, [s.instance_ids for s in scenes], **cfg.evaluation)
    assert result['AP50'] >= 0.9 and result['AP25'] >= 0.9
    strict = evaluate_instance_ap(predictions, [s.instance_ids for s in scenes],
                                  **dict(cfg.evaluation, ignore_void=False))
    assert strict['AP50'] >= 0.85


def test_output_contract_and_open3d_input():
    scene = generate_point_scene(1, seed=0)
    generator = config_generator()
    instances = generator(scene.to_open3d())
    assert instances and all(i.mask.shape == (len(scene.points),) and i.mask.dtype == bool for i in instances)
    scores = [i.score for i in instances]
    assert scores == sorted(scores, reverse=True) and scores[0] == 1.0 and min(scores) > 0
    assert [i.provenance['rank'] for i in instances] == list(range(len(instances)))
    assert generator.segment_ids.shape == (len(scene.points),)
    for instance in instances:  # a mask is a union of whole segments
        inside = np.unique(generator.segment_ids[instance.mask])
        assert sorted(inside.tolist()) == instance.provenance['segments']
        assert np.isin(generator.segment_ids, inside).sum() == instance.mask.sum()
    for a, b in zip(instances, instances[1:]):
        assert not (a.mask & b.mask).any()
    for mask in scene.masks:
        assert max(iou(i.mask, mask) for i in instances[:len(scene.masks)]) > 0.99
    assert set(generator.timings) == {'oversegment', 'features', 'ncut'}


def coloured_box(size, at, color, subdivisions, rng):
    mesh = o3d.geometry.TriangleMesh.create_box(*size).subdivide_midpoint(subdivisions)
    mesh.translate(at)
    colors = np.tile(color, (len(mesh.vertices), 1)) + rng.normal(0, 0.02, (len(mesh.vertices), 3))
    mesh.vertex_colors = o3d.utility.Vector3dVector(np.clip(colors, 0, 1))
    return mesh


def test_mesh_input_uses_mesh_edges():
    rng = np.random.default_rng(0)
    floor = coloured_box((2, 2, 0.02), (0, 0, -0.02), (0.5, 0.5, 0.45), 5, rng)
    boxes = [coloured_box((0.3, 0.3, 0.4), (0.3, 0.3, 0), (0.8, 0.2, 0.2), 3, rng),
             coloured_box((0.4, 0.2, 0.3), (1.2, 1.1, 0), (0.8, 0.2, 0.2), 3, rng)]
    mesh = floor + boxes[0] + boxes[1]
    mesh.compute_vertex_normals()
    ids = np.repeat([0, 1, 2], [len(floor.vertices), len(boxes[0].vertices), len(boxes[1].vertices)])
    generator = SegmentNCutGenerator(dict(type='FelzenszwalbSegmenter', color_weight=0.5, min_size=20),
                                     min_foreground_segments=1)
    instances = generator(mesh)
    assert sorted(round(float(iou(i.mask, ids == k)), 3) for i in instances[:2] for k in (1, 2)) == [0, 0, 1, 1]


class WrongShape:
    def __call__(self, scene):
        return np.zeros(3, dtype=np.int64)


def test_bad_components_and_arguments():
    scene = generate_point_scene(0, seed=0).as_point_scene()
    with pytest.raises(ValueError, match='returned'):
        SegmentNCutGenerator(WrongShape())(scene)
    with pytest.raises(ValueError, match='max_instances'):
        SegmentNCutGenerator(max_instances=0)
    with pytest.raises(ValueError, match='at least one feature source'):
        SegmentNCutGenerator(segment_features=[])
    with pytest.raises(TypeError, match='cannot read a 3D scene'):
        SegmentNCutGenerator()(np.zeros((10, 3)))
