"""Spatial Importance sharpening, CutS3D eqs. (1)-(3) (cuts3d/cutting/spatial_importance.py)."""
import numpy as np
import pytest

from cuts3d.cutting import NCutCutter, SpatialImportance
from cuts3d.cutting.affinity import cosine_affinity
from cuts3d.cutting.spatial_importance import (depth_high_frequency, normalize_importance, pair_importance,
                                               sharpen_affinity, sharpened_pattern)
from cuts3d.registry import AFFINITY_MODIFIERS, build_component
from cuts3d.structures import CutContext, PatchFeatures

# A 4 x 4 patch-grid depth map: a near square (0.2) in front of a far background (0.8) in the bottom right.
DEPTH = np.array([[0.8, 0.8, 0.8, 0.8],
                  [0.8, 0.8, 0.8, 0.8],
                  [0.8, 0.8, 0.2, 0.2],
                  [0.8, 0.8, 0.2, 0.2]])


def blur_by_hand(depth: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian (radius 4 sigma, weights exp(-k^2 / 2 sigma^2) normalised), mirrored borders."""
    radius = int(4 * sigma + 0.5)
    weights = np.exp(-np.arange(-radius, radius + 1) ** 2 / (2 * sigma ** 2))
    weights /= weights.sum()
    padded = np.pad(depth, radius, mode='symmetric')
    rows = np.array([[weights @ padded[r - radius:r + radius + 1, c] for c in range(padded.shape[1])]
                     for r in range(radius, radius + depth.shape[0])])
    return np.array([[weights @ rows[r, c - radius:c + radius + 1] for c in range(radius, radius + depth.shape[1])]
                     for r in range(depth.shape[0])])


def context(depth) -> CutContext:
    return CutContext(image=np.zeros((32, 32, 3), np.uint8), grid=(4, 4), depth=depth)


def test_eq1_is_the_absolute_difference_to_the_blurred_depth():
    np.testing.assert_allclose(depth_high_frequency(DEPTH, sigma=1.0), np.abs(blur_by_hand(DEPTH, 1.0) - DEPTH),
                               atol=1e-12)


def test_eq1_is_largest_at_the_depth_edge_and_zero_on_flat_depth():
    importance = depth_high_frequency(DEPTH, sigma=1.0)
    assert importance[2, 2] == importance.max()
    np.testing.assert_allclose(depth_high_frequency(np.full((4, 4), 0.3), sigma=3.0), 0.0, atol=1e-15)


def test_eq2_maps_min_to_beta_and_max_to_one():
    importance = np.array([[0.0, 1.0], [2.0, 4.0]])
    np.testing.assert_allclose(normalize_importance(importance, beta=0.45), [[0.45, 0.5875], [0.725, 1.0]])


def test_eq2_on_constant_importance_gives_beta_everywhere():
    np.testing.assert_array_equal(normalize_importance(np.full((3, 3), 0.2), beta=0.45), np.full((3, 3), 0.45))
    round_off = np.array([[0.0, 1e-16], [3e-17, 0.0]])
    np.testing.assert_array_equal(normalize_importance(round_off, beta=0.45), np.full((2, 2), 0.45))


def test_pair_importance_by_max_and_mean():
    node = np.array([0.45, 1.0, 0.6])
    np.testing.assert_allclose(pair_importance(node, 'max'), [[0.45, 1.0, 0.6], [1.0, 1.0, 1.0], [0.6, 1.0, 0.6]])
    np.testing.assert_allclose(pair_importance(node, 'mean'),
                               [[0.45, 0.725, 0.525], [0.725, 1.0, 0.8], [0.525, 0.8, 0.6]])
    with pytest.raises(ValueError, match='pair_reduce'):
        pair_importance(node, 'min')


def test_eq3_raises_similarities_to_one_minus_importance_sign_preserving():
    affinity = np.array([[1.0, 0.25, -0.25, 0.0],
                         [0.25, 1.0, 0.1, 0.0],
                         [-0.25, 0.1, 1.0, 0.0],
                         [0.0, 0.0, 0.0, 0.0]])
    importance = np.array([[0.5, 0.5, 0.5, 1.0],
                           [0.5, 0.5, 1.0, 1.0],
                           [0.5, 1.0, 0.5, 1.0],
                           [1.0, 1.0, 1.0, 1.0]])
    expected = np.array([[1.0, 0.5, -0.5, 0.0],
                         [0.5, 1.0, 1.0, 0.0],  # 0.1 ** 0 = 1: a boundary pair is tied above tau
                         [-0.5, 1.0, 1.0, 0.0],
                         [0.0, 0.0, 0.0, 0.0]])  # zeroed (claimed) patches stay unconnected, even at p = 0
    np.testing.assert_allclose(sharpen_affinity(affinity, importance), expected)


def test_modifier_composes_the_three_equations_and_stores_the_map():
    depth = DEPTH.copy()
    depth[0, 0] = np.nan  # filled with the median of its known neighbours (0.8)
    rng = np.random.default_rng(0)
    affinity = np.clip(rng.uniform(-0.5, 1.0, (16, 16)), -1, 1)
    affinity = (affinity + affinity.T) / 2
    ctx = context(depth)
    out = SpatialImportance(sigma=1.0, beta=0.45, pair_reduce='max')(affinity, ctx)

    high_frequency = np.abs(blur_by_hand(DEPTH, 1.0) - DEPTH).reshape(-1)
    normalised = 0.55 * (high_frequency - high_frequency.min()) / (high_frequency.max() - high_frequency.min()) + 0.45
    exponent = 1 - np.maximum(normalised[:, None], normalised[None, :])
    np.testing.assert_allclose(out, np.sign(affinity) * np.abs(affinity) ** exponent, atol=1e-12)
    np.testing.assert_allclose(ctx.extras['spatial_importance'], normalised.reshape(4, 4), atol=1e-6)
    assert ctx.extras['spatial_importance'].dtype == np.float32


def test_a_hole_in_flat_depth_creates_no_importance():
    depth = np.full((4, 4), 0.5)
    depth[1, 2] = np.nan
    np.testing.assert_array_equal(SpatialImportance(beta=0.45).importance_map(depth), np.full((4, 4), 0.45))


def test_registered_and_used_by_ncut_as_an_affinity_modifier():
    modifier = build_component(dict(type='SpatialImportance', pair_reduce='max'), AFFINITY_MODIFIERS)
    assert (modifier.sigma, modifier.beta, modifier.pair_reduce) == (3.0, 0.0, 'max')
    rng = np.random.default_rng(1)
    feats = PatchFeatures(rng.standard_normal((16, 4, 4)).astype(np.float32), 8, (32, 32))
    ctx = context(DEPTH)
    cut = NCutCutter(affinity_modifiers=[dict(type='SpatialImportance')]).cut(feats, np.ones((4, 4), bool), ctx)
    assert cut.bipartition.any()
    assert ctx.extras['spatial_importance'].shape == (4, 4)


def two_groups(similarity: float = 0.1):
    """Unit features of two groups (left and right half of a 6 x 12 grid): cosine 1 within a group, ``similarity``
    across, which MaskCut's tau = 0.15 keeps apart; depth has one step inside the left group, far from the right."""
    across = np.array([1.0, 0.0]), np.array([similarity, np.sqrt(1 - similarity ** 2)])
    labels = np.zeros((6, 12), int)
    labels[:, 6:] = 1
    feats = np.stack([across[label] for label in labels.ravel()]).T.reshape(2, 6, 12).astype(np.float32)
    depth = np.full((6, 12), 0.6, np.float32)
    depth[:, :2] = 0.3
    return PatchFeatures(feats, 8, (48, 96)), labels == 0, depth


def test_the_paper_beta_floods_the_graph_and_the_default_keeps_maskcuts_threshold_on_flat_pairs():
    # beta = 0.45 raises every similarity to a power <= 0.55: 0.1 ** 0.55 = 0.28 > tau, so the two groups become
    # one clique and NCut has nothing to cut. beta = 0 sharpens only across the depth step.
    feats, left, depth = two_groups()
    ctx = CutContext(image=np.zeros((48, 96, 3), np.uint8), grid=(6, 12), depth=depth)
    literal = NCutCutter(affinity_modifiers=[dict(type='SpatialImportance', sigma=1.0, beta=0.45, pair_reduce='max')])
    assert literal.cut(feats, np.ones((6, 12), bool), ctx) is None
    cut = NCutCutter(affinity_modifiers=[dict(type='SpatialImportance', sigma=1.0)]).cut(feats, np.ones((6, 12), bool),
                                                                                         ctx)
    assert cut is not None and (np.array_equal(cut.bipartition, left) or np.array_equal(cut.bipartition, ~left))


def test_missing_or_unusable_depth_is_a_clear_error():
    modifier = SpatialImportance()
    affinity = np.eye(16)
    with pytest.raises(ValueError, match='needs depth'):
        modifier(affinity, context(None))
    with pytest.raises(ValueError, match='without a single known'):
        modifier(affinity, context(np.full((4, 4), np.nan)))
    with pytest.raises(ValueError, match='patch grid'):
        modifier(affinity, context(np.zeros((4, 5))))
    with pytest.raises(ValueError, match='affinity has shape'):
        modifier(np.eye(15), context(DEPTH))


@pytest.mark.parametrize('kwargs, message', [(dict(beta=1.5), 'beta'), (dict(sigma=0), 'sigma'),
                                             (dict(pair_reduce='min'), 'pair_reduce')])
def test_bad_config_is_a_clear_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SpatialImportance(**kwargs)


def affinity_near_thresholds(seed: int, nodes: int = 300, tau: float = 0.15, reduce: str = 'max'):
    """Cosine-like float32 similarities, a third of them put on the float32 neighbours of ``tau ** (1 / p)``, the
    value at which eq. (3) crosses ``tau``: the pairs where a float32 shortcut would decide differently."""
    rng = np.random.default_rng(seed)
    importance = rng.uniform(0.45, 1.0, nodes)
    importance[:5] = 1.0  # exponent 0
    affinity = rng.uniform(-1.0, 1.0, (nodes, nodes)).astype(np.float32)
    crossing = (tau ** (1.0 / (1.0 - pair_importance(importance, reduce).clip(max=1 - 1e-9)))).astype(np.float32)
    offsets = rng.integers(-3, 4, (nodes, nodes)).astype(np.int32)
    near = crossing.view(np.int32) + offsets
    pick = rng.random((nodes, nodes)) < 0.33
    affinity[pick] = near.view(np.float32)[pick]
    affinity[:, 7] = 0.0
    affinity[8, :4] = np.float32(1e-41)  # subnormal
    affinity = np.triu(affinity) + np.triu(affinity, 1).T
    return affinity, importance


@pytest.mark.parametrize('reduce', ['max', 'mean'])
@pytest.mark.parametrize('seed', [0, 1, 2])
def test_sharpened_pattern_is_the_literal_graph_bit_for_bit(seed, reduce):
    affinity, importance = affinity_near_thresholds(seed, reduce=reduce)
    literal = sharpen_affinity(affinity, pair_importance(importance, reduce)) > 0.15
    np.testing.assert_array_equal(sharpened_pattern(affinity, importance, reduce, 0.15), literal)
    for tau in (0.0, -0.2, 1.0):
        np.testing.assert_array_equal(sharpened_pattern(affinity, importance, reduce, tau),
                                      sharpen_affinity(affinity, pair_importance(importance, reduce)) > tau)


def test_binarize_is_the_modifier_output_above_tau_and_claiming_commutes_with_it():
    rng = np.random.default_rng(4)
    depth = rng.uniform(0.2, 0.9, (6, 7)).astype(np.float32)
    ctx = CutContext(image=np.zeros((48, 56, 3), np.uint8), grid=(6, 7), depth=depth)
    feats = rng.standard_normal((42, 16)).astype(np.float32)
    modifier = SpatialImportance()
    assert modifier.claim_invariant
    pattern = modifier.binarize(cosine_affinity(feats), ctx, 0.15)
    np.testing.assert_array_equal(pattern, modifier(cosine_affinity(feats), ctx) > 0.15)
    active = rng.random(42) < 0.7
    zeroed = modifier(cosine_affinity(feats * active[:, None]), ctx) > 0.15
    np.testing.assert_array_equal(zeroed, pattern & np.outer(active, active))
