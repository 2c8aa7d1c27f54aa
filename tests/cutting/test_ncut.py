"""NCutCutter and MaskCut's orientation rule (cuts3d/cutting/ncut.py)."""
import numpy as np
import pytest

from cuts3d.cutting import NCutCutter
from cuts3d.cutting import eigensolvers
from cuts3d.cutting.ncut import first_argmax, orient_bipartition
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


def test_registered_and_built_from_config():
    cutter = build_component(dict(type='NCutCutter', solver='dense', tau=0.2), GRAPH_CUTTERS)
    assert isinstance(cutter, NCutCutter)
    assert (cutter.solver, cutter.tau, cutter.eps, cutter.orientation) == ('dense', 0.2, 1e-5, 'canonical')


def test_cut_returns_an_oriented_cut_of_the_grid():
    feats, _, object_b = two_object_features()
    cut = NCutCutter().cut(feats, ~object_b, context())
    assert isinstance(cut, Cut)
    assert cut.bipartition.dtype == bool and cut.bipartition.shape == GRID
    assert cut.eigenvector.dtype == np.float32 and cut.eigenvector.shape == GRID
    assert cut.seed == int(np.argmax(cut.eigenvector))
    assert cut.bipartition.reshape(-1)[cut.seed]


@pytest.mark.parametrize('solver', ['dense', 'fast'])
@pytest.mark.parametrize('claim', ['a', 'b'])
def test_claimed_patches_are_zeroed_so_the_cut_finds_the_other_object(solver, claim):
    feats, object_a, object_b = two_object_features()
    claimed, remaining = (object_a, object_b) if claim == 'a' else (object_b, object_a)
    cut = NCutCutter(solver=solver).cut(feats, ~claimed, context())
    np.testing.assert_array_equal(cut.bipartition & ~claimed, remaining)


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


@pytest.mark.parametrize('claim', ['a', 'b'])
def test_claimed_patches_can_be_removed_from_the_graph_as_the_paper_says(claim):
    feats, object_a, object_b = two_object_features()
    claimed, remaining = (object_a, object_b) if claim == 'a' else (object_b, object_a)
    cut = NCutCutter(claimed='remove').cut(feats, ~claimed, context())
    np.testing.assert_array_equal(cut.bipartition, remaining)       # removed nodes are on neither side
    active_v = cut.eigenvector[~claimed]
    threshold = active_v.mean()
    np.testing.assert_allclose(cut.eigenvector[claimed], threshold, rtol=1e-6)  # the neutral value: the split
    np.testing.assert_array_equal(cut.bipartition[~claimed], active_v > threshold)


def test_removing_nodes_solves_the_graph_of_the_active_patches_alone(monkeypatch):
    feats, object_a, _ = two_object_features()
    sizes = []
    solver = eigensolvers.SECOND_EIGENVECTOR_SOLVERS['fast']
    monkeypatch.setitem(eigensolvers.SECOND_EIGENVECTOR_SOLVERS, 'fast',
                        lambda graph, degrees: sizes.append(len(degrees)) or solver(graph, degrees))
    NCutCutter(claimed='remove').cut(feats, ~object_a, context())
    NCutCutter(claimed='zero').cut(feats, ~object_a, context())
    assert sizes == [GRID[0] * GRID[1] - object_a.sum(), GRID[0] * GRID[1]]


def test_a_graph_that_is_one_clique_has_no_cut():
    # All patches alike: every pair is above tau, every split has the same normalised cut, and the "second"
    # eigenvector would be whatever round-off makes of a degenerate eigenspace (it changed from run to run).
    rng = np.random.default_rng(0)
    feats = np.ones((8, *GRID), np.float32) + 0.01 * rng.standard_normal((8, *GRID)).astype(np.float32)
    patch = PatchFeatures(feats, 8, (GRID[0] * 8, GRID[1] * 8))
    for claimed in ('zero', 'remove'):
        assert NCutCutter(claimed=claimed).cut(patch, everything(), context()) is None
    active = everything()
    active[:2] = False
    assert NCutCutter().cut(patch, active, context()) is None       # claimed (zeroed) rows do not count


def test_nothing_active_returns_none():
    feats, _, _ = two_object_features()
    assert NCutCutter().cut(feats, np.zeros(GRID, bool), context()) is None


@pytest.mark.parametrize('kwargs, message', [
    (dict(solver='lobpcg'), 'unknown NCut solver'),
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
