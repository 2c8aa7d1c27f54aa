"""MaskCutGenerator: every rule of MaskCut's loop (scripted fake cutter), depth handling, and real components."""
import numpy as np
import pytest

from cuts3d.cutting.point_cloud import depth_to_grid
from cuts3d.pseudo.maskcut_generator import STAGES, MaskCutGenerator
from cuts3d.registry import PSEUDO_MASK_GENERATORS, UnknownComponentError, build_component
from cuts3d.structures import Cut, PatchFeatures

GRID = (10, 10)
PATCH = 4


class FakeFeatures:
    """A 10 x 10 grid of dummy features for a 40 x 40 input."""

    def __call__(self, image):
        return PatchFeatures(feats=np.zeros((1, *GRID), np.float32), patch_size=PATCH,
                             input_size=(GRID[0] * PATCH, GRID[1] * PATCH))


class ScriptedCutter:
    """Returns the scripted bipartitions in order (None when the script ends) and records what it was given."""

    def __init__(self, masks):
        self.masks = list(masks)
        self.actives, self.claimed = [], []

    def cut(self, feats, active, context):
        self.actives.append(active.copy())
        self.claimed.append(context.claimed.copy())
        if len(self.actives) > len(self.masks):
            return None
        mask = self.masks[len(self.actives) - 1]
        return Cut(bipartition=mask, eigenvector=mask.astype(np.float32), seed=int(np.flatnonzero(mask)[0]))


class Bipartition:
    """Partitioner that keeps the whole bipartition, recording the depth it saw."""

    def __init__(self):
        self.depths = []

    def __call__(self, cut, context):
        self.depths.append(context.depth)
        return cut.bipartition


class Constant:
    def __init__(self, value=1.0):
        self.value = value

    def __call__(self, cut, instance, context):
        return np.where(instance, self.value, 0.0).astype(np.float32)


class Keep:
    def __call__(self, image, mask):
        assert image.shape[:2] == mask.shape
        return mask


def box(r0, r1, c0, c1):
    mask = np.zeros(GRID, bool)
    mask[r0:r1, c0:c1] = True
    return mask


def generator(masks, image_size=(40, 40), **kwargs):
    cutter = ScriptedCutter(masks)
    defaults = dict(feature_extractor=FakeFeatures(), cutter=cutter, partitioner=Bipartition(),
                    confidence=Constant(), refiner=Keep())
    gen = MaskCutGenerator(**{**defaults, **kwargs})
    image = np.zeros((*image_size, 3), np.uint8)
    return gen, cutter, gen(image, {})


def cut_indices(instances):
    return [inst.provenance['cut_index'] for inst in instances]


def test_keeps_disjoint_masks_and_claims_them():
    a, b, c = box(0, 3, 0, 3), box(5, 8, 5, 8), box(0, 3, 6, 9)
    _, cutter, instances = generator([a, b, c])
    assert cut_indices(instances) == [0, 1, 2]
    np.testing.assert_array_equal(cutter.actives[1], ~a)
    np.testing.assert_array_equal(cutter.actives[2], ~(a | b))


def test_num_cuts_is_respected():
    masks = [box(0, 2, 2 * i, 2 * i + 2) for i in range(5)]
    _, cutter, instances = generator(masks, num_cuts=3)
    assert len(cutter.actives) == 3 and cut_indices(instances) == [0, 1, 2]


def test_cutter_returning_none_ends_the_loop():
    _, cutter, instances = generator([box(0, 3, 0, 3)])
    assert len(cutter.actives) == 2 and cut_indices(instances) == [0]


def test_mask_overlapping_the_previous_by_more_than_max_iou_is_dropped_and_claims_nothing():
    a = box(0, 4, 0, 4)               # 16 patches
    a2 = box(0, 4, 0, 5)              # IoU with a = 16 / 20 = 0.8 > 0.5
    c = box(6, 9, 6, 9)
    _, cutter, instances = generator([a, a2, c])
    assert cut_indices(instances) == [0, 2]
    np.testing.assert_array_equal(cutter.actives[2], ~a)  # the dropped cut claimed nothing


def test_after_a_dropped_cut_the_next_is_compared_with_an_empty_mask_as_in_the_reference():
    a = box(0, 4, 0, 4)
    a2 = box(0, 4, 0, 5)
    # The reference sets current_mask to zeros after a drop, so the same mask found again is kept (IoU 0 with
    # an empty mask), minus the patches claimed before.
    _, _, instances = generator([a, a2, a2])
    assert cut_indices(instances) == [0, 2]
    np.testing.assert_array_equal(instances[1].mask, np.kron(a2 & ~a, np.ones((PATCH, PATCH), bool)))


def test_iou_exactly_at_max_iou_is_kept():
    a = box(0, 2, 0, 4)  # 8 patches
    b = box(0, 2, 2, 8)  # 12 patches, overlap 4, union 16: IoU 0.25
    _, _, instances = generator([a, b], max_iou=0.25)
    assert cut_indices(instances) == [0, 1]


def test_mask_covering_at_most_one_percent_is_dropped_from_the_second_cut_on():
    one_patch = box(9, 10, 9, 10)     # 1 of 100 patches = 1%
    two_patches = box(9, 10, 7, 9)    # 2%
    _, _, instances = generator([box(0, 3, 0, 3), one_patch, two_patches])
    assert cut_indices(instances) == [0, 2]
    _, _, first = generator([one_patch])
    assert cut_indices(first) == [0]  # the first cut is never dropped


def test_claimed_patches_are_removed_from_a_new_mask():
    a = box(0, 4, 0, 4)
    b = box(2, 6, 2, 8)  # overlaps a on 4 patches, IoU 4 / 36
    _, _, instances = generator([a, b])
    expected = np.kron(b & ~a, np.ones((PATCH, PATCH), bool))
    np.testing.assert_array_equal(instances[1].mask, expected)
    assert instances[1].provenance['patch_area'] == int((b & ~a).sum())


def test_mask_left_empty_after_removing_claimed_patches_is_skipped_but_claims():
    a = box(0, 6, 0, 6)
    inside = box(1, 5, 1, 5)          # IoU 16 / 36 < 0.5 but entirely claimed
    c = box(7, 10, 7, 10)
    _, cutter, instances = generator([a, inside, c])
    assert cut_indices(instances) == [0, 2]
    np.testing.assert_array_equal(cutter.actives[2], ~a)


def test_stop_on_rest_ends_the_loop_at_the_complement():
    a = box(0, 4, 0, 4)
    rest = ~a
    _, cutter, instances = generator([a, rest, box(0, 1, 9, 10)], stop_on_rest=True)
    assert cut_indices(instances) == [0] and len(cutter.actives) == 2
    _, _, without = generator([a, rest], stop_on_rest=False)
    assert cut_indices(without) == [0, 1]


def test_stop_on_rest_tolerates_a_few_stray_patches():
    a = box(0, 4, 0, 4)
    almost_rest = ~a
    almost_rest[9, 9] = False         # 83 of the 84 unclaimed patches: IoU 0.988
    _, _, instances = generator([a, almost_rest], stop_on_rest=True, rest_iou=0.95)
    assert cut_indices(instances) == [0]
    _, _, strict = generator([a, almost_rest], stop_on_rest=True, rest_iou=1.0)
    assert cut_indices(strict) == [0, 1]


def test_stop_on_rest_is_tested_from_the_second_cut_on():
    whole = np.ones(GRID, bool)       # before any cut there is no "rest" of earlier masks to predict
    gen, _, instances = generator([whole], stop_on_rest=True)
    assert cut_indices(instances) == [0] and gen.cut_log[0]['decision'] == 'kept'


class Piece:
    """Partitioner that keeps a 3 x 3 block of the bipartition from its first unclaimed patch on (as LocalCut keeps
    one object of a semantic group)."""

    def __call__(self, cut, context):
        row, col = np.argwhere(cut.bipartition & ~context.claimed)[0]
        piece = np.zeros_like(cut.bipartition)
        piece[row:row + 3, col:col + 3] = True
        return piece & cut.bipartition


def test_stop_on_rest_tests_the_ncut_bipartition_not_the_partitioners_mask():
    # The NCut predicts the rest; the partitioner cuts a piece out of it. The paper stops on the NCut's
    # prediction; testing the piece (which never covers 95% of the rest) kept a background piece.
    a = box(0, 3, 0, 3)
    gen, cutter, instances = generator([a, ~a, ~a], partitioner=Piece(), stop_on_rest=True)
    assert cut_indices(instances) == [0] and len(cutter.actives) == 2   # the background piece is not kept
    assert [entry['decision'] for entry in gen.cut_log] == ['kept', 'stopped_rest']
    assert gen.cut_log[1]['rest_iou'] == pytest.approx(1.0)


def test_a_bipartition_of_claimed_patches_only_is_the_rest_seen_from_the_other_side():
    a = box(0, 4, 0, 4)
    gen, cutter, instances = generator([a, a, box(6, 9, 6, 9)], stop_on_rest=True)
    assert cut_indices(instances) == [0] and gen.cut_log[1]['decision'] == 'stopped_rest'


def test_cut_log_records_every_cut_and_what_became_of_it():
    a, a2, c = box(0, 4, 0, 4), box(0, 4, 0, 5), box(6, 9, 6, 9)
    gen, _, instances = generator([a, a2, box(9, 10, 9, 10), c], num_cuts=4)
    log = gen.cut_log
    assert [entry['decision'] for entry in log] == ['kept', 'dropped_iou', 'dropped_small', 'kept']
    assert [entry['cut_index'] for entry in log] == [0, 1, 2, 3]
    assert log[1]['iou_previous'] == pytest.approx(0.8) and log[2]['area_frac'] == pytest.approx(0.01)
    assert instances[1].provenance['decision'] == 'kept' and instances[1].provenance['cut_index'] == 3
    gen_refused, _, _ = generator([a], refiner=lambda image, mask: None)
    assert [entry['decision'] for entry in gen_refused.cut_log] == ['empty_after_crf', 'stopped_no_cut']


def test_instances_are_at_the_original_non_square_size_with_confidence_and_score():
    a = box(0, 5, 0, 5)
    _, _, instances = generator([a], image_size=(30, 80), confidence=Constant(0.75))
    (inst,) = instances
    assert inst.mask.shape == (30, 80) and inst.confidence.shape == (30, 80)
    assert inst.mask[:15, :40].all() and not inst.mask[15:].any() and not inst.mask[:, 40:].any()
    np.testing.assert_allclose(inst.confidence[inst.mask], 0.75)
    assert not inst.confidence[~inst.mask].any()
    assert inst.score == pytest.approx(0.75)
    assert set(inst.provenance['eigenvector']) == {'min', 'max', 'mean', 'std'}


def test_refiner_returning_none_discards_the_instance():
    class Reject:
        def __call__(self, image, mask):
            return None

    _, _, instances = generator([box(0, 3, 0, 3)], refiner=Reject())
    assert instances == []


def test_refiner_returning_a_wrong_shape_is_an_error():
    class Wrong:
        def __call__(self, image, mask):
            return mask[:-1]

    with pytest.raises(ValueError, match='refiner Wrong returned shape'):
        generator([box(0, 3, 0, 3)], refiner=Wrong())


def test_partitioner_returning_a_wrong_shape_is_an_error():
    class Wrong:
        def __call__(self, cut, context):
            return np.ones((3, 3), bool)

    with pytest.raises(ValueError, match='Wrong returned shape'):
        generator([box(0, 3, 0, 3)], partitioner=Wrong())


class GradientDepth:
    """Depth rising from left to right, with a NaN stripe; records how often it was called."""

    def __init__(self):
        self.calls = 0

    def __call__(self, image, meta):
        self.calls += 1
        depth = np.tile(np.linspace(0, 1, image.shape[1], dtype=np.float32), (image.shape[0], 1))
        depth[:, :3] = np.nan
        return depth


def test_depth_is_computed_once_on_the_original_image_and_pooled_to_the_grid():
    depth_source = GradientDepth()
    partitioner = Bipartition()
    masks = [box(0, 3, 0, 3), box(5, 8, 5, 8)]
    generator(masks, image_size=(60, 90), depth_source=depth_source, partitioner=partitioner)
    assert depth_source.calls == 1 and len(partitioner.depths) == 2
    expected = depth_to_grid(GradientDepth()(np.zeros((60, 90, 3), np.uint8), {}), GRID)
    np.testing.assert_allclose(partitioner.depths[0], expected)
    assert not np.isnan(partitioner.depths[0]).any()


def test_no_depth_source_means_no_depth():
    partitioner = Bipartition()
    generator([box(0, 3, 0, 3)], partitioner=partitioner)
    assert partitioner.depths == [None]


def test_depth_of_the_wrong_shape_or_all_nan_is_an_error():
    class Wrong:
        def __call__(self, image, meta):
            return np.zeros((5, 5), np.float32)

    class Unknown:
        def __call__(self, image, meta):
            return np.full(image.shape[:2], np.nan, np.float32)

    with pytest.raises(ValueError, match='depth source Wrong returned shape'):
        generator([box(0, 3, 0, 3)], depth_source=Wrong())
    with pytest.raises(ValueError, match='no valid'):
        generator([box(0, 3, 0, 3)], depth_source=Unknown())


def test_timings_cover_every_stage():
    gen, _, _ = generator([box(0, 3, 0, 3)])
    assert set(gen.timings) == set(STAGES) and all(t >= 0 for t in gen.timings.values())


@pytest.mark.parametrize('kwargs, message', [
    (dict(num_cuts=0), 'num_cuts'), (dict(max_iou=1.5), 'max_iou'), (dict(min_area_frac=1.0), 'min_area_frac'),
    (dict(rest_iou=0.0), 'rest_iou'), (dict(depth_reduce='mean'), 'depth_reduce')])
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        generator([box(0, 3, 0, 3)], **kwargs)


def test_unknown_component_lists_the_registered_names():
    cfg = dict(type='MaskCutGenerator', feature_extractor=dict(type='NoSuchBackbone'),
               cutter=dict(type='NCutCutter'), partitioner=dict(type='ConnectedComponent2D'),
               confidence=dict(type='ConstantConfidence'), refiner=dict(type='NoRefiner'))
    with pytest.raises(UnknownComponentError, match='NoSuchBackbone.*registered: .*PatchColorFeatures'):
        build_component(cfg, PSEUDO_MASK_GENERATORS)


# ------------------------------------------------------------------------- real components, synthetic scene
def scene():
    """Green background with a red and a blue square on the 8-pixel patch grid; depth: the squares are nearer."""
    image = np.zeros((96, 96, 3), np.uint8)
    image[:] = (40, 140, 50)
    boxes = [(slice(16, 48), slice(16, 48)), (slice(56, 88), slice(56, 88))]
    depth = np.full((96, 96), 0.9, np.float32)
    squares = []
    for (rows, cols), colour, near in zip(boxes, [(220, 40, 30), (30, 40, 220)], [0.3, 0.5]):
        image[rows, cols] = colour
        depth[rows, cols] = near
        squares.append(np.zeros((96, 96), bool))
        squares[-1][rows, cols] = True
    return image, depth, squares


def best_iou(mask, targets):
    return max((mask & t).sum() / (mask | t).sum() for t in targets)


def real_config(**overrides):
    cfg = dict(type='MaskCutGenerator',
               feature_extractor=dict(type='PatchColorFeatures', patch_size=8, input_size=(96, 96)),
               cutter=dict(type='NCutCutter', tau=0.15, solver='fast'),
               partitioner=dict(type='ConnectedComponent2D'), confidence=dict(type='ConstantConfidence'),
               refiner=dict(type='NoRefiner'))
    return {**cfg, **overrides}


def test_maskcut_with_real_components_finds_both_squares():
    image, _, squares = scene()
    gen = build_component(real_config(), PSEUDO_MASK_GENERATORS)
    instances = gen(image, {})
    found = [inst for inst in instances if best_iou(inst.mask, squares) > 0.9]
    assert len(found) == 2
    for inst in found:
        assert inst.score == pytest.approx(1.0) and inst.mask.shape == (96, 96)


def test_cuts3d_with_real_components_finds_both_squares_with_spatial_confidence():
    image, depth, squares = scene()

    class SceneDepth:
        def __call__(self, img, meta):
            return depth

    cfg = real_config(
        depth_source=SceneDepth(),
        partitioner=dict(type='LocalCut', k=10, tau_knn=0.115),
        confidence=dict(type='SpatialConfidence', num_cuts=6), stop_on_rest=True)
    gen = build_component(cfg, PSEUDO_MASK_GENERATORS)
    instances = gen(image, {})
    found = [inst for inst in instances if best_iou(inst.mask, squares) > 0.9]
    assert len(found) == 2
    for inst in found:
        assert inst.confidence[inst.mask].min() >= 0.5 - 1e-6 and 0.5 <= inst.score <= 1.0
        assert not inst.confidence[~inst.mask].any()


def decisions(gen):
    return [(entry['cut_index'], entry['decision']) for entry in gen.cut_log]


def test_cut_log_says_why_each_cut_was_kept_dropped_or_stopped():
    """The aloe got no MaskCut mask and nothing said why: every cut now carries its decision and its numbers."""
    a, a2, tiny = box(0, 4, 0, 4), box(0, 4, 0, 5), box(9, 10, 9, 10)
    gen, _, _ = generator([a, a2, tiny, box(6, 9, 6, 9)], num_cuts=4)
    assert decisions(gen) == [(0, 'kept'), (1, 'dropped_iou'), (2, 'dropped_small'), (3, 'kept')]
    assert gen.cut_log[1]['iou_previous'] == pytest.approx(0.8) and gen.cut_log[2]['area_frac'] == 0.01
    inside = box(1, 3, 1, 3)
    gen, _, _ = generator([box(0, 6, 0, 6), inside])
    assert decisions(gen) == [(0, 'kept'), (1, 'dropped_claimed'), (2, 'stopped_no_cut')]
    gen, _, _ = generator([a, ~a], stop_on_rest=True)
    assert decisions(gen) == [(0, 'kept'), (1, 'stopped_rest')] and gen.cut_log[1]['rest_iou'] == 1.0
    gen, _, _ = generator([a])
    assert decisions(gen) == [(0, 'kept'), (1, 'stopped_no_cut')]


def test_cut_log_marks_a_mask_the_refiner_rejected():
    class Reject:
        def __call__(self, image, mask):
            return None

    gen, _, _ = generator([box(0, 3, 0, 3)], refiner=Reject(), num_cuts=1)
    assert decisions(gen) == [(0, 'empty_after_crf')]
    gen(np.zeros((40, 40, 3), np.uint8), {})  # the log is the last image's
    assert len(gen.cut_log) == 1


# ------------------------------------------------------------------------- the IoU rule with LocalCut
def refound_object():
    """Object A (7 x 7 patches at depth 0.3 on a 0.9 background), cut once without its last row and column; the
    next NCut bipartitions are that unclaimed fringe, as when the loop finds A a second time."""
    a, core = box(1, 8, 1, 8), box(1, 7, 1, 7)
    fringe = a & ~core
    depth = np.kron(np.where(a, 0.3, 0.9), np.ones((PATCH, PATCH))).astype(np.float32)

    class Depth:
        def __call__(self, image, meta):
            return depth

    return a, core, fringe, Depth()


@pytest.mark.parametrize('claim_dropped', [False, True])
def test_an_object_found_a_second_time_is_dropped_under_localcut(claim_dropped):
    # LocalCut's point cloud used to leave out the claimed patches, so its mask never overlapped the previous one
    # and MaskCut's IoU > 0.5 rule could not fire: the fringe of A was kept as an instance of its own. The mask
    # the rule compares is now, as in MaskCut, the partition of the whole bipartition with the claimed patches
    # (LocalCut: they stay in the point cloud, only the instance loses them), so the fringe grows back into A.
    from cuts3d.cutting.local_cut import LocalCut
    a, core, fringe, depth = refound_object()
    gen, _, instances = generator([core, fringe, fringe], partitioner=LocalCut(), depth_source=depth,
                                  claim_dropped=claim_dropped)
    log = gen.cut_log
    assert log[1]['decision'] == 'dropped_iou' and log[1]['iou_previous'] == pytest.approx(36 / 49)
    np.testing.assert_array_equal(instances[0].mask, np.kron(core, np.ones((PATCH, PATCH), bool)))
    if claim_dropped:   # the dropped re-found object claims its patches, so the next cut cannot find it again
        assert cut_indices(instances) == [0] and log[2]['decision'] == 'dropped_small'
    else:               # MaskCut's reference: the previous mask becomes empty and the same cut is kept next time
        assert cut_indices(instances) == [0, 2] and log[2]['decision'] == 'kept'


def test_localcut_provenance_names_source_sink_and_how_the_cut_went():
    from cuts3d.cutting.local_cut import LocalCut
    a, core, fringe, depth = refound_object()
    gen, _, instances = generator([a], partitioner=LocalCut(), depth_source=depth)
    provenance = instances[0].provenance
    assert provenance['decision'] == 'kept' and provenance['points'] == a.sum()
    assert a.flat[provenance['source']] and a.flat[provenance['sink']]
    assert provenance['trivial'] is True and provenance['sink_unreachable'] is False


def test_confidence_map_is_aligned_to_the_mask_or_left_patchy_for_table_5d():
    a = box(2, 6, 2, 6)
    confidence = Constant(0.75)

    def grow(image, mask):               # a refiner that adds a pixel band around the patch mask
        from scipy import ndimage
        return ndimage.binary_dilation(mask, iterations=2)

    _, _, aligned = generator([a], confidence=confidence, refiner=grow)
    _, _, patchy = generator([a], confidence=confidence, refiner=grow, align_confidence=False)
    patches = np.kron(a, np.ones((PATCH, PATCH), bool))
    np.testing.assert_allclose(aligned[0].confidence, np.where(aligned[0].mask, 0.75, 0))
    np.testing.assert_allclose(patchy[0].confidence, np.where(patches, 0.75, 0))
    assert aligned[0].mask.sum() > patches.sum() and patchy[0].score == pytest.approx(0.75)


class BlasThreads(Bipartition):
    """Bipartition that records how many threads each loaded BLAS library may use while it runs."""

    def __init__(self):
        super().__init__()
        self.threads = []

    def __call__(self, cut, context):
        from threadpoolctl import threadpool_info

        self.threads += [info['num_threads'] for info in threadpool_info() if info['user_api'] == 'blas']
        return super().__call__(cut, context)


def test_the_cut_stage_runs_with_one_blas_thread_whatever_the_caller_allows():
    from threadpoolctl import threadpool_limits

    partitioner = BlasThreads()
    with threadpool_limits(limits=2, user_api='blas'):
        generator([box(0, 3, 0, 3)], partitioner=partitioner)
    assert partitioner.threads and set(partitioner.threads) == {1}
