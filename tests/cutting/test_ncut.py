"""NCutCutter and MaskCut's orientation rule (cuts3d/cutting/ncut.py)."""
import pickle
import tracemalloc

import numpy as np
import pytest

from cuts3d.cutting import NCutCutter
from cuts3d.cutting import eigensolvers, ncut
from cuts3d.cutting.ncut import first_argmax, orient_bipartition
from cuts3d.cutting.affinity import cosine_affinity
from cuts3d.registry import AFFINITY_MODIFIERS, GRAPH_CUTTERS, build_component
from cuts3d.structures import Cut, CutContext, PatchFeatures

GRID = (12, 14)


def two_object_features(seed: int = 0) -> tuple[PatchFeatures, np.ndarray, np.ndarray]:
    """Float32 features with objects A (rows 2:7, cols 2:7) and B (rows 6:11, cols 9:13) on a background."""
    rng = np.random.default_rng(seed)
    labels = np.zeros(GRID, dtype=int)
    labels[2:7, 2:7] = 1
    labels[6:11, 9:13] = 2
    feats = rng.standard_normal((3, 256))[labels] + 0.8 * rng.standard_normal((*GRID, 256))
    patch = PatchFeatures(np.ascontiguousarray(feats.transpose(2, 0, 1), np.float32), 8, (GRID[0] * 8, GRID[1] * 8))
    return patch, labels == 1, labels == 2


def context() -> CutContext:
    return CutContext(image=np.zeros((GRID[0] * 8, GRID[1] * 8, 3), np.uint8), grid=GRID)


def everything() -> np.ndarray:
    return np.ones(GRID, bool)


@pytest.fixture
def recording_modifier():
    """An affinity modifier, registered for one test, that records its input and ties two node sets together."""

    class TieNodes:
        calls = []

        def __init__(self, nodes, partners):
            self.nodes, self.partners = np.asarray(nodes), np.asarray(partners)

        def __call__(self, affinity, ctx):
            self.calls.append((affinity.shape, ctx))
            affinity = affinity.copy()
            affinity[np.ix_(self.nodes, self.partners)] = 1.0
            affinity[np.ix_(self.partners, self.nodes)] = 1.0
            return affinity

    AFFINITY_MODIFIERS.register_module(name='TieNodes', module=TieNodes)
    yield TieNodes
    AFFINITY_MODIFIERS.module_dict.pop('TieNodes')


@pytest.fixture
def counting_modifier():
    """A claim-invariant affinity modifier, registered for one test, that counts its calls (identity otherwise)."""

    class CountCalls:
        claim_invariant = True
        calls = 0

        def __call__(self, affinity, ctx):
            CountCalls.calls += 1
            return affinity

    AFFINITY_MODIFIERS.register_module(name='CountCalls', module=CountCalls)
    yield CountCalls
    AFFINITY_MODIFIERS.module_dict.pop('CountCalls')


def test_registered_and_built_from_config():
    cutter = build_component(dict(type='NCutCutter', solver='dense', tau=0.2), GRAPH_CUTTERS)
    assert isinstance(cutter, NCutCutter)
    assert (cutter.solver, cutter.tau, cutter.eps, cutter.orientation) == ('dense', 0.2, 1e-5, 'canonical')
    assert (cutter.claimed, cutter.device.type) == ('zero', 'cpu')


def test_cut_returns_an_oriented_cut_of_the_grid():
    feats, _, object_b = two_object_features()
    cut = NCutCutter().cut(feats, ~object_b, context())
    assert isinstance(cut, Cut)
    assert cut.bipartition.dtype == bool and cut.bipartition.shape == GRID
    assert cut.eigenvector.dtype == np.float32 and cut.eigenvector.shape == GRID
    assert cut.seed == int(np.argmax(cut.eigenvector))
    assert cut.bipartition.reshape(-1)[cut.seed]


@pytest.mark.parametrize('solver', ['dense', 'fast', 'lobpcg'])
@pytest.mark.parametrize('claim', ['a', 'b'])
@pytest.mark.parametrize('mode', ['zero', 'remove'])
def test_claimed_patches_are_zeroed_or_removed_so_the_cut_finds_the_other_object(solver, claim, mode):
    feats, object_a, object_b = two_object_features()
    claimed, remaining = (object_a, object_b) if claim == 'a' else (object_b, object_a)
    cut = NCutCutter(solver=solver, claimed=mode).cut(feats, ~claimed, context())
    np.testing.assert_array_equal(cut.bipartition & ~claimed, remaining)


@pytest.mark.parametrize('precision', ['float32', 'float64'])
@pytest.mark.parametrize('solver', ['fast', 'lobpcg'])
@pytest.mark.parametrize('mode', ['zero', 'remove'])
def test_fast_solvers_give_the_dense_cuts_over_an_images_cuts(solver, mode, precision):
    """Three cuts of one image with different claimed sets: the cached pattern and warm starts change nothing.

    (Not A and B claimed together: only the background is left, a complete graph whose second eigenvalue is 0 with
    multiplicity N - 1, so any vector is an eigenvector and solvers legitimately differ.)
    """
    feats, object_a, object_b = two_object_features(seed=5)
    ctx = context()
    dense = NCutCutter(solver='dense', claimed=mode)
    fast = NCutCutter(solver=solver, claimed=mode, precision=precision)
    for claimed in (np.zeros(GRID, bool), object_b, object_a):
        expected, got = dense.cut(feats, ~claimed, ctx), fast.cut(feats, ~claimed, ctx)
        np.testing.assert_array_equal(got.bipartition, expected.bipartition)
        assert got.seed == expected.seed
        scale = np.abs(expected.eigenvector).max()
        atol = 1e-4 if precision == 'float32' else 1e-7
        np.testing.assert_allclose(got.eigenvector, expected.eigenvector, atol=atol * scale)
    assert len(fast.graphs) == 1


def test_removed_patches_sit_on_the_split_and_never_in_the_bipartition():
    feats, object_a, object_b = two_object_features()
    for solver in ('dense', 'fast'):
        cut = NCutCutter(solver=solver, claimed='remove').cut(feats, ~object_b, context())
        assert not (cut.bipartition & object_b).any()
        vector = cut.eigenvector.astype(np.float64)
        np.testing.assert_allclose(vector[object_b], vector[~object_b].mean(), rtol=1e-5)


def test_cut_batch_gives_each_items_own_cut():
    items = [(feats, ~claimed, context()) for feats, claimed in
             [(two_object_features(0)[0], two_object_features(0)[2]), (two_object_features(1)[0], np.zeros(GRID, bool)),
              (two_object_features(2)[0], np.ones(GRID, bool))]]
    for solver in ('fast', 'lobpcg'):
        batch = NCutCutter(solver=solver).cut_batch(items)
        alone = [NCutCutter(solver=solver).cut(*item) for item in items]
        assert batch[2] is None and alone[2] is None
        for got, expected in zip(batch[:2], alone[:2]):
            np.testing.assert_array_equal(got.bipartition, expected.bipartition)
            np.testing.assert_allclose(got.eigenvector, expected.eigenvector, rtol=0, atol=1e-6)


def test_the_affinity_is_built_and_modified_once_per_image(counting_modifier, monkeypatch):
    """MaskCut's graph only loses claimed rows between cuts: the fast solver reuses the image's pattern."""
    built = []
    monkeypatch.setattr(ncut, 'cosine_affinity', lambda feats: built.append(1) or cosine_affinity(feats))
    feats, object_a, object_b = two_object_features()
    cutter, ctx = NCutCutter(affinity_modifiers=[dict(type='CountCalls')]), context()
    for claimed in (np.zeros(GRID, bool), object_a, object_a | object_b):
        cutter.cut(feats, ~claimed, ctx)
    assert (len(built), counting_modifier.calls) == (1, 1)
    cutter.cut(two_object_features(seed=1)[0], everything(), ctx)
    assert (len(built), counting_modifier.calls) == (2, 2)


def test_cuts_after_the_first_allocate_no_graph_sized_matrix():
    """No dense float64 (or any N x N) matrix per cut: the pattern is kept and the products are matrix-free."""
    rng = np.random.default_rng(0)
    grid = (40, 40)
    labels = np.zeros(grid, int)
    labels[5:20, 8:25] = 1
    feats = rng.standard_normal((2, 64))[labels] + rng.standard_normal((*grid, 64))
    feats = PatchFeatures(np.ascontiguousarray(feats.transpose(2, 0, 1), np.float32), 8, (320, 320))
    ctx = CutContext(image=np.zeros((320, 320, 3), np.uint8), grid=grid)
    cutter, claimed = NCutCutter(), np.zeros(grid, bool)
    cutter.cut(feats, ~claimed, ctx)
    claimed[5:20, 8:25] = True
    tracemalloc.start()
    cutter.cut(feats, ~claimed, ctx)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    nodes = grid[0] * grid[1]
    assert peak < nodes * nodes  # an 8th of one float64 N x N matrix


def test_pickled_cutter_leaves_its_cache_behind():
    feats, _, _ = two_object_features()
    cutter = NCutCutter()
    cutter.cut(feats, everything(), context())
    restored = pickle.loads(pickle.dumps(cutter))
    assert len(restored.graphs) == 0 and len(cutter.graphs) == 1
    np.testing.assert_array_equal(restored.cut(feats, everything(), context()).bipartition,
                                  cutter.cut(feats, everything(), context()).bipartition)


def test_cut_is_invariant_to_the_solver_sign(monkeypatch):
    feats, _, _ = two_object_features(seed=3)
    cutter = NCutCutter(solver='dense')
    expected = cutter.cut(feats, everything(), context())
    assert expected.bipartition.any()
    monkeypatch.setitem(eigensolvers.SECOND_EIGENVECTOR_SOLVERS, 'dense',
                        lambda graph, degrees: -eigensolvers.dense_second_eigenvector(graph, degrees))
    flipped = cutter.cut(feats, everything(), context())
    np.testing.assert_array_equal(flipped.bipartition, expected.bipartition)
    np.testing.assert_array_equal(flipped.eigenvector, expected.eigenvector)
    assert flipped.seed == expected.seed


def test_fast_cut_is_invariant_to_the_solver_sign(monkeypatch):
    feats, _, _ = two_object_features(seed=3)
    expected = NCutCutter().cut(feats, everything(), context())
    solve = eigensolvers.pattern_second_eigenvector
    monkeypatch.setattr(ncut, 'pattern_second_eigenvector', lambda graph, start: tuple(-v for v in solve(graph, start)))
    flipped = NCutCutter().cut(feats, everything(), context())
    np.testing.assert_array_equal(flipped.bipartition, expected.bipartition)
    np.testing.assert_array_equal(flipped.eigenvector, expected.eigenvector)
    assert flipped.seed == expected.seed


def test_affinity_modifiers_are_applied_before_binarisation(recording_modifier):
    feats, object_a, object_b = two_object_features()
    background = ~(object_a | object_b)
    ctx = context()
    baseline = NCutCutter().cut(feats, ~object_b, ctx)
    np.testing.assert_array_equal(baseline.bipartition & ~object_b, object_a)
    modifier = dict(type='TieNodes', nodes=np.flatnonzero(object_a), partners=np.flatnonzero(background))
    cut = NCutCutter(affinity_modifiers=[modifier]).cut(feats, ~object_b, ctx)
    assert recording_modifier.calls == [((GRID[0] * GRID[1],) * 2, ctx)]
    # Object A is now tied to the background above tau: the active patches form one clique, nothing to cut.
    assert cut is None


@pytest.mark.parametrize('solver', ['dense', 'fast', 'lobpcg'])
def test_a_graph_that_is_one_clique_has_no_cut(solver):
    # All patches alike: every pair is above tau, every split has the same normalised cut, and the "second"
    # eigenvector would be whatever round-off makes of a degenerate eigenspace (it changed from run to run).
    rng = np.random.default_rng(0)
    feats = np.ones((8, *GRID), np.float32) + 0.01 * rng.standard_normal((8, *GRID)).astype(np.float32)
    patch = PatchFeatures(feats, 8, (GRID[0] * 8, GRID[1] * 8))
    for claimed in ('zero', 'remove'):
        assert NCutCutter(solver=solver, claimed=claimed).cut(patch, everything(), context()) is None
    active = everything()
    active[:2] = False
    assert NCutCutter(solver=solver).cut(patch, active, context()) is None  # claimed (zeroed) rows do not count


def test_tied_entries_are_averaged_only_when_they_differ_by_round_off():
    groups = np.array([0, 0, 1, 1, 2])
    vector = np.array([1.0, 1.0 + 1e-7, -2.0, -2.0 - 1e-7, 0.5])
    np.testing.assert_allclose(ncut.average_tied_entries(vector, groups), [1.00000005] * 2 + [-2.00000005] * 2 + [0.5])
    varied = np.array([1.0, -1.0, 0.3, -0.3, 0.0])
    np.testing.assert_array_equal(ncut.average_tied_entries(varied, groups), varied)


def test_nothing_active_returns_none():
    feats, _, _ = two_object_features()
    assert NCutCutter().cut(feats, np.zeros(GRID, bool), context()) is None


@pytest.mark.parametrize('solver', ['dense', 'fast', 'lobpcg'])
def test_removing_all_but_two_patches_leaves_no_graph_to_cut(solver):
    feats, _, _ = two_object_features()
    two = np.zeros(GRID, bool)
    two[0, 0] = two[3, 3] = True                                        # a background patch and one of object A
    assert NCutCutter(solver=solver, claimed='remove').cut(feats, two, context()) is None
    assert NCutCutter(solver=solver).cut(feats, two, context()) is not None


@pytest.mark.parametrize('kwargs, message', [
    (dict(solver='eigs'), 'unknown NCut solver'),
    (dict(claimed='drop'), 'unknown claimed mode'),
    (dict(precision='float16'), 'unknown precision'),
    (dict(orientation='random'), 'unknown orientation'),
    (dict(eps=0.0), 'eps must be > 0'),
    (dict(claimed='drop'), 'unknown claimed mode'),
])
def test_bad_config_is_a_clear_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        NCutCutter(**kwargs)


def test_bad_inputs_are_clear_errors():
    feats, _, _ = two_object_features()
    cutter = NCutCutter()
    with pytest.raises(ValueError, match='active mask has shape'):
        cutter.cut(feats, np.ones((GRID[1], GRID[0]), bool), context())
    with pytest.raises(ValueError, match='does not match the feature grid'):
        cutter.cut(feats, everything(), CutContext(image=np.zeros((8, 8, 3), np.uint8), grid=(1, 1)))
    with pytest.raises(ValueError, match='C x h x w'):
        cutter.cut(PatchFeatures(feats.feats[0], 8, (96, 112)), everything(), context())
    nan_feats = feats.feats.copy()
    nan_feats[0, 3, 3] = np.nan
    with pytest.raises(ValueError, match='NaN'):
        cutter.cut(PatchFeatures(nan_feats, 8, (96, 112)), everything(), context())
    with pytest.raises(ValueError, match='at least 3 patches'):
        cutter.cut(PatchFeatures(np.ones((4, 1, 2), np.float32), 8, (8, 16)), np.ones((1, 2), bool),
                   CutContext(image=np.zeros((8, 16, 3), np.uint8), grid=(1, 2)))


# The orientation rule on hand-made 3 x 3 eigenvectors (mean 0 unless stated).
def test_three_corners_in_the_bipartition_invert_it():
    vector = np.array([2.0, 1.0, 2.0,
                       -1.0, -9.0, -1.0,
                       2.0, 1.0, 3.0])
    bipartition, oriented, seed = orient_bipartition(vector, (3, 3))
    np.testing.assert_array_equal(bipartition.reshape(-1), vector <= vector.mean())
    np.testing.assert_array_equal(oriented, -vector)
    assert seed == 4  # argmax of -v


def test_seed_in_the_bipartition_keeps_it():
    vector = np.array([-1.0, 2.0, -1.0,
                       2.0, 5.0, 2.0,
                       -3.0, -3.0, -3.0])
    bipartition, oriented, seed = orient_bipartition(vector, (3, 3))
    np.testing.assert_array_equal(bipartition.reshape(-1), vector > 0)
    np.testing.assert_array_equal(oriented, vector)
    assert seed == 4


def test_seed_outside_the_bipartition_inverts_it():
    vector = np.array([-1.0, 2.0, -1.0,
                       2.0, -5.0, 2.0,
                       1.0, 1.0, -1.0])
    bipartition, oriented, seed = orient_bipartition(vector, (3, 3))
    np.testing.assert_array_equal(bipartition.reshape(-1), vector <= 0)
    np.testing.assert_array_equal(oriented, -vector)
    assert seed == 4


def test_the_literal_rule_depends_on_the_sign_when_the_seed_side_covers_three_corners():
    """Why NCutCutter fixes the sign: +v gives the centre, -v gives the frame."""
    frame = np.array([3.0, 3.0, 3.0,
                      3.0, -1.0, 3.0,
                      3.0, 3.0, 3.0])
    plus, _, _ = orient_bipartition(frame, (3, 3))
    minus, _, _ = orient_bipartition(-frame, (3, 3))
    np.testing.assert_array_equal(plus.reshape(-1), frame < 0)
    np.testing.assert_array_equal(minus.reshape(-1), frame > 0)


def test_first_argmax_breaks_near_ties_by_the_first_index():
    values = np.array([1.0, 3.0, 3.0 + 1e-12, 2.0, 3.0 + 2e-12])
    assert first_argmax(values) == 4
    assert first_argmax(values, rtol=1e-6) == 1
