"""MaskCut's dense-CRF refinement (cuts3d/cutting/dense_crf.py), on tiny synthetic images."""
import numpy as np
import pytest

from cuts3d.cutting import DenseCRF, dense_crf
from cuts3d.cutting.dense_crf import crf_unary
from cuts3d.registry import MASK_REFINERS, build_component
from cuts3d.utils.mask_ops import mask_iou

ROWS, COLS = np.mgrid[:64, :64]
RADIUS = np.hypot(ROWS - 32, COLS - 32)


def image_with(region: np.ndarray) -> np.ndarray:
    """A dark uint8 RGB image with ``region`` bright."""
    image = np.full((*region.shape, 3), 30, np.uint8)
    image[region] = 220
    return image


def test_unary_is_minus_log_softmax_of_the_mask_as_logits():
    unary = crf_unary(np.array([[True, False]]))
    high, low = np.log1p(np.e), np.log1p(np.e) - 1  # -log(1 / (1 + e)), -log(e / (1 + e))
    np.testing.assert_allclose(unary, [[high, low], [low, high]], rtol=1e-6)
    assert unary.dtype == np.float32 and unary.flags['C_CONTIGUOUS']


def test_built_from_config_with_cutler_constants():
    crf = build_component(dict(type='DenseCRF'), MASK_REFINERS)
    assert (crf.iterations, crf.gaussian_sxy, crf.gaussian_compat) == (10, 3, 7)
    assert (crf.bilateral_sxy, crf.bilateral_srgb, crf.bilateral_compat, crf.min_iou) == (50, 5, 10, 0.5)


def test_snaps_a_shifted_mask_to_the_object_edges():
    square = np.zeros((64, 64), bool)
    square[16:48, 16:48] = True
    shifted = np.roll(square, (-2, 2), axis=(0, 1))
    np.testing.assert_array_equal(DenseCRF()(image_with(square), shifted), square)


def test_fills_holes_after_the_crf():
    ring = (RADIUS > 8) & (RADIUS < 20)
    crf = DenseCRF()
    np.testing.assert_array_equal(crf.refine(image_with(ring), ring), ring)  # the CRF alone keeps the hole
    np.testing.assert_array_equal(crf(image_with(ring), ring), RADIUS < 20)


def test_mask_the_crf_removes_is_discarded():
    object_ = np.zeros((64, 64), bool)
    object_[:, 40:] = True
    mask = np.zeros((64, 64), bool)
    mask[16:48, 16:48] = True  # mostly over the dark part, where the image has no edge to hold it
    assert DenseCRF()(image_with(object_), mask) is None


def test_discard_threshold_is_iou_below_min_iou():
    stripes = np.ones((48, 48), bool)
    stripes[::4] = False  # on a flat image the CRF fills the gaps: IoU 0.75 with the input
    flat = np.full((48, 48, 3), 128, np.uint8)
    np.testing.assert_array_equal(DenseCRF()(flat, stripes), np.ones((48, 48), bool))
    np.testing.assert_array_equal(DenseCRF(min_iou=0.75)(flat, stripes), np.ones((48, 48), bool))
    assert DenseCRF(min_iou=0.8)(flat, stripes) is None


def test_empty_mask_is_discarded():
    assert DenseCRF()(np.zeros((8, 8, 3), np.uint8), np.zeros((8, 8), bool)) is None


def test_bad_inputs_are_clear_errors():
    crf = DenseCRF()
    with pytest.raises(ValueError, match='mask has shape'):
        crf(np.zeros((8, 8, 3), np.uint8), np.ones((8, 9), bool))
    with pytest.raises(ValueError, match='RGB uint8'):
        crf(np.zeros((8, 8, 3), np.float32), np.ones((8, 8), bool))
    with pytest.raises(ValueError, match='RGB uint8'):
        crf(np.zeros((8, 8), np.uint8), np.ones((8, 8), bool))


def test_missing_pydensecrf_is_explained(monkeypatch):
    monkeypatch.setattr(dense_crf, 'dcrf', None)
    with pytest.raises(ImportError, match='pydensecrf2'):
        DenseCRF()


def two_touching_objects_of_one_colour():
    """A bright region on a dark image, made of two objects that touch at column 24: the near one (depth 0.3,
    columns 8-23) and the far one (depth 0.6, columns 24-55); colour cannot tell them apart."""
    region = np.zeros((64, 64), bool)
    region[12:52, 8:56] = True
    near = region.copy()
    near[:, 24:] = False
    depth = np.full((64, 64), 0.9, np.float32)
    depth[region] = 0.6
    depth[near] = 0.3
    return image_with(region), near, depth


def test_colour_alone_spreads_the_mask_over_a_touching_object_of_the_same_colour():
    image, near, _ = two_touching_objects_of_one_colour()
    assert DenseCRF()(image, near) is None            # grown over the far object, then refused by the IoU check


def test_depth_keeps_the_crf_on_its_side_of_a_depth_step():
    image, near, depth = two_touching_objects_of_one_colour()
    crf = DenseCRF(depth_std=0.03)
    assert crf.uses_depth and not DenseCRF().uses_depth
    refined = crf(image, near, depth=depth)
    assert mask_iou(refined, near) > 0.95
    shifted = np.roll(near, 2, axis=1) & (depth < 0.95)   # a patch mask off by two pixels still snaps back
    assert mask_iou(crf(image, shifted, depth=depth), near) > 0.95


def test_depth_term_needs_the_depth_map():
    image, near, depth = two_touching_objects_of_one_colour()
    with pytest.raises(ValueError, match='needs the depth map'):
        DenseCRF(depth_std=0.03)(image, near)
    with pytest.raises(ValueError, match='depth has shape'):
        DenseCRF(depth_std=0.03)(image, near, depth=depth[:10])
    with pytest.raises(ValueError, match='depth_std'):
        DenseCRF(depth_std=0.0)
    holes = depth.copy()
    holes[:4] = np.nan                                # NaN depth is filled with the median, not an error
    assert DenseCRF(depth_std=0.03)(image, near, depth=holes) is not None
