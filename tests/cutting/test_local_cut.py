import numpy as np
import pytest
from scipy.ndimage import gaussian_filter
from synthetic_depth_scenes import iou, single_object, touching_pair

from cuts3d.cutting.connected_component import ConnectedComponent2D
from cuts3d.cutting.local_cut import LocalCut, edge_capacity, knn_edges
from cuts3d.cutting.point_cloud import unproject_orthographic
from cuts3d.registry import PARTITIONERS, build_component
from cuts3d.structures import Cut, CutContext

LITERAL = dict(source='max_abs', sink='min_abs', trivial_cut_ratio=None)


def _context(depth, claimed=None):
    return CutContext(image=np.zeros((8 * depth.shape[0], 8 * depth.shape[1], 3), np.uint8), grid=depth.shape,
                      depth=np.asarray(depth, np.float32), claimed=claimed)


def _cut(bipartition, eigenvector=None):
    v = np.where(bipartition, 1.0, -1.0) if eigenvector is None else eigenvector
    v = np.asarray(v, np.float32)
    return Cut(bipartition=np.asarray(bipartition, bool), eigenvector=v, seed=int(np.argmax(v)))


@pytest.mark.parametrize('gap', [0.3, 0.06])
def test_separates_touching_objects_that_2d_connected_component_merges(gap):
    # gap 0.3 > tau_knn: thresholding separates; gap 0.06 < tau_knn: the min cut has to find the boundary
    scene = touching_pair(grid=40, gap=gap)
    instance = LocalCut()(scene.cut, scene.context())
    assert iou(instance, scene.near) > 0.9
    merged = ConnectedComponent2D()(scene.cut, scene.context())
    assert iou(merged, scene.near) < 0.7 and (merged & scene.far).sum() > 0.9 * scene.far.sum()


def test_robust_terminals_beat_the_literal_rule_on_random_scenes():
    scenes = [touching_pair(grid=40, gap=0.1, seed=seed, random_layout=True) for seed in range(12)]
    contexts = [scene.context() for scene in scenes]
    robust = np.mean([iou(LocalCut()(s.cut, c), s.near) for s, c in zip(scenes, contexts)])
    literal = np.mean([iou(LocalCut(**LITERAL)(s.cut, c), s.near) for s, c in zip(scenes, contexts)])
    assert robust > 0.95 and robust > literal + 0.05


def test_depth_smoothed_across_borders_still_separates_touching_objects():
    # Monocular depth turns the step between the objects into a ramp. The farthest low-v point then often sits on
    # the ramp, where its few long edges make cutting it loose cheap, so every cut looked trivial and the objects
    # stayed merged (mean IoU 0.55); the sink is now drawn from well-connected points.
    ious = []
    for seed in range(12):
        scene = touching_pair(grid=40, gap=0.12, seed=seed, random_layout=True)
        scene.depth = gaussian_filter(scene.depth, 4).astype(np.float32)   # half a patch
        ious.append(iou(LocalCut()(scene.cut, scene.context()), scene.near))
    assert np.mean(ious) > 0.85


def test_single_object_is_kept_whole_even_when_tilted():
    scene = single_object(grid=40, slope=0.6, seed=3)
    assert iou(LocalCut()(scene.cut, scene.context()), scene.near) > 0.95


@pytest.mark.parametrize('kwargs', [{}, dict(source='max_abs', sink='min_abs')])
def test_constant_depth_returns_the_connected_bipartition(kwargs):
    scene = touching_pair(grid=30)
    context = _context(np.full((30, 30), 0.4))
    np.testing.assert_array_equal(LocalCut(**kwargs)(scene.cut, context), scene.cut.bipartition)


def test_without_the_trivial_cut_rule_constant_depth_loses_a_sliver_around_the_sink():
    scene = touching_pair(grid=30)
    instance = LocalCut(**LITERAL)(scene.cut, _context(np.full((30, 30), 0.4)))
    lost = scene.cut.bipartition & ~instance
    sink = np.unravel_index(np.argmin(np.where(scene.cut.bipartition, np.abs(scene.cut.eigenvector), np.inf)),
                            lost.shape)
    assert not (instance & ~scene.cut.bipartition).any()
    assert lost[sink] and 1 <= lost.sum() <= 3


def test_constant_depth_keeps_only_the_2d_region_of_the_source():
    bipartition = np.zeros((20, 20), bool)
    bipartition[2:8, 2:8] = bipartition[12:18, 12:18] = True
    v = np.where(bipartition, 0.5, -1.0)
    v[4, 4] = 1.0
    instance = LocalCut()(_cut(bipartition, v), _context(np.full((20, 20), 0.5)))
    np.testing.assert_array_equal(np.argwhere(instance).min(0), [2, 2])
    assert instance.sum() == 36


def test_points_the_source_cannot_reach_are_not_in_the_instance():
    # the literal sink (min |v|) lies on a far island: no flow, the source's component is the instance
    bipartition = np.zeros((20, 20), bool)
    bipartition[2:10, 2:10] = bipartition[10:14, 10:14] = True   # touch at one corner
    depth = np.full((20, 20), 0.3)
    depth[10:14, 10:14] = 0.9
    v = np.where(bipartition, 0.8, -1.0)
    v[10:14, 10:14] = 0.1
    instance = LocalCut(**LITERAL)(_cut(bipartition, v), _context(depth))
    expected = np.zeros_like(bipartition)
    expected[2:10, 2:10] = True
    np.testing.assert_array_equal(instance, expected)


def test_empty_or_fully_claimed_bipartition_gives_an_empty_mask():
    empty = np.zeros((10, 10), bool)
    assert not LocalCut()(_cut(empty), _context(np.full((10, 10), 0.5))).any()
    bipartition = np.zeros((10, 10), bool)
    bipartition[2:5, 2:5] = True
    assert not LocalCut()(_cut(bipartition), _context(np.full((10, 10), 0.5), claimed=bipartition)).any()


def test_claimed_patches_stay_in_the_point_cloud_but_never_hold_the_source():
    # The mask may reach into claimed patches (the generator removes them from the instance and compares the whole
    # mask with the previous one, MaskCut's IoU rule); the source is always an unclaimed patch.
    bipartition = np.zeros((10, 10), bool)
    bipartition[2:8, 2:5] = True
    claimed = np.zeros_like(bipartition)
    claimed[2:8, 5:8] = True
    v = np.where(bipartition, 1.0, -1.0)
    v[claimed] = 5.0                                   # a claimed patch would win argmax |v|
    context = _context(np.full((10, 10), 0.5), claimed=claimed)
    for kwargs in ({}, LITERAL):
        partitioner = LocalCut(**kwargs)
        instance = partitioner(_cut(bipartition, v), context)
        np.testing.assert_array_equal(instance, bipartition | claimed)
        assert bipartition.flat[context.extras['local_cut']['source']]


def test_nothing_unclaimed_in_the_bipartition_gives_an_empty_mask_and_no_terminals():
    bipartition = np.zeros((10, 10), bool)
    bipartition[2:5, 2:5] = True
    context = _context(np.full((10, 10), 0.5), claimed=bipartition)
    assert not LocalCut()(_cut(bipartition), context).any()
    assert context.extras['local_cut'] == dict(source=None, sink=None, trivial=False, sink_unreachable=False,
                                               points=0)


def test_details_say_which_terminals_were_used_and_whether_the_cut_was_trivial():
    scene = touching_pair(grid=30, gap=0.06)
    context = scene.context()
    LocalCut()(scene.cut, context)
    details = context.extras['local_cut']
    assert scene.near.flat[details['source']] and scene.far.flat[details['sink']]
    assert details['trivial'] is False and details['sink_unreachable'] is False
    context = _context(np.full((30, 30), 0.4))
    LocalCut()(scene.cut, context)
    assert context.extras['local_cut']['trivial'] is True       # constant depth: no 3D boundary


def test_the_final_2d_component_can_be_switched_off():
    # Two islands of the bipartition at one depth, 3D-close through a diagonal gap: the source side of the min cut
    # holds both, the final 2D component only the source's island (paper-literal: no such step).
    bipartition = np.zeros((12, 12), bool)
    bipartition[2:6, 2:6] = bipartition[6:10, 6:10] = True   # they touch at one corner only (8-connected)
    v = np.where(bipartition, 1.0, -1.0)
    v[3, 3] = 2.0
    context = _context(np.full((12, 12), 0.5))
    with_component = LocalCut(tau_knn=0.2)(_cut(bipartition, v), context)
    without = LocalCut(tau_knn=0.2, final_component=False)(_cut(bipartition, v), context)
    np.testing.assert_array_equal(without, bipartition)
    assert with_component.sum() == 16 and with_component[3, 3]


def test_knn_ties_on_the_patch_grid_are_broken_by_index_the_same_way_every_time():
    # On a flat grid the 4 axis neighbours and the 4 diagonal ones are equidistant: k = 6 must take all 4 axis
    # neighbours and the first 2 diagonals by index, whatever the search's traversal order.
    points = unproject_orthographic(np.full((7, 7), 0.5))
    rows, cols, dist = knn_edges(points, k=6)
    centre = 3 * 7 + 3
    chosen = cols[rows == centre]
    assert sorted(chosen[:4]) == [centre - 7, centre - 1, centre + 1, centre + 7]
    np.testing.assert_array_equal(chosen[4:], [centre - 8, centre - 6])
    for again in (knn_edges(points.copy(), k=6), knn_edges(np.asfortranarray(points), k=6)):
        for first, second in zip((rows, cols, dist), again):
            np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize('size', [1, 2, 3])
def test_fewer_points_than_k_plus_one(size):
    bipartition = np.zeros((20, 20), bool)
    bipartition[1, 1:1 + size] = True
    instance = LocalCut(k=10)(_cut(bipartition), _context(np.full((20, 20), 0.5)))
    np.testing.assert_array_equal(instance, bipartition)


def test_source_equal_to_sink_returns_the_source_region():
    bipartition = np.zeros((20, 20), bool)
    bipartition[2:6, 2:6] = True
    v = np.where(bipartition, 1.0, -1.0)      # |v| constant inside: argmax |v| == argmin |v|
    instance = LocalCut(**LITERAL)(_cut(bipartition, v), _context(np.full((20, 20), 0.5)))
    np.testing.assert_array_equal(instance, bipartition)


def test_nan_depth_is_filled():
    scene = touching_pair(grid=40, gap=0.3)
    context = scene.context()
    context.depth[18:20, 10:12] = np.nan   # holes inside the near object
    assert iou(LocalCut()(scene.cut, context), scene.near) > 0.9


def test_call_is_cut_at_the_configured_threshold():
    scene = touching_pair(grid=30, gap=0.06)
    partitioner, context = LocalCut(tau_knn=0.1), scene.context()
    np.testing.assert_array_equal(partitioner(scene.cut, context), partitioner.cut_at(scene.cut, context, 0.1))


def test_knn_edges_and_capacity():
    points = np.array([[0, 0, 0], [0.1, 0, 0], [0.3, 0, 0]], dtype=float)
    rows, cols, dist = knn_edges(points, k=1)
    assert list(zip(rows, cols)) == [(0, 1), (1, 0), (2, 1)]
    np.testing.assert_allclose(dist, [0.1, 0.1, 0.2])
    assert knn_edges(points[:1], k=10)[0].size == 0
    for kind in ('gaussian', 'inverse'):
        cap = edge_capacity(np.array([0.01, 0.05, 0.1]), kind, 0.02)
        assert np.all(np.diff(cap) < 0)


def test_bad_input_and_config():
    scene = touching_pair(grid=20)
    with pytest.raises(ValueError, match='needs depth'):
        LocalCut()(scene.cut, CutContext(image=scene.image, grid=(20, 20)))
    with pytest.raises(ValueError, match='depth has shape'):
        LocalCut()(scene.cut, CutContext(image=scene.image, grid=(20, 20), depth=np.zeros((10, 10), np.float32)))
    with pytest.raises(ValueError, match='tau_knn'):
        LocalCut().cut_at(scene.cut, scene.context(), 0.0)
    for bad in (dict(k=0), dict(tau_knn=0), dict(capacity='linear'), dict(source='seed'), dict(sink='max'),
                dict(sigma=0), dict(sink_quantile=0), dict(trivial_cut_ratio=1.5)):
        with pytest.raises(ValueError):
            LocalCut(**bad)


def test_registered_and_buildable_from_config():
    partitioner = build_component(dict(type='LocalCut', tau_knn=0.1, source='max_abs'), PARTITIONERS)
    assert isinstance(partitioner, LocalCut) and partitioner.tau_knn == 0.1 and partitioner.source == 'max_abs'
