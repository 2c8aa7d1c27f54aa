"""Mask RLEs and the Spatial Confidence level-set encoding of the pseudo-mask json."""
import json

import numpy as np
import pytest
from pycocotools import mask as mask_utils

from cuts3d.structures.rle import decode_mask, decode_spatial_confidence, encode_mask, encode_spatial_confidence
from cuts3d.utils.mask_ops import confidence_to_image, upsample_nearest_values


def test_mask_rle_is_json_ready_and_pycocotools_compatible():
    mask = np.zeros((30, 50), bool)
    mask[5:20, 10:45] = True
    rle = encode_mask(mask)
    assert isinstance(rle['counts'], str) and rle['size'] == [30, 50]
    json.dumps(rle)
    np.testing.assert_array_equal(decode_mask(rle), mask)
    assert mask_utils.area({'size': rle['size'], 'counts': rle['counts'].encode()}) == mask.sum()


def test_level_sets_round_trip_to_the_map_rounded_to_the_nearest_level():
    rng = np.random.default_rng(0)
    confidence = rng.random((24, 40)).astype(np.float32)
    confidence[:, :10] = 0.0
    encoded = encode_spatial_confidence(confidence, levels=6)
    assert encoded['levels'] == 6 and len(encoded['rles']) == 6
    decoded = decode_spatial_confidence(json.loads(json.dumps(encoded)))
    assert decoded.dtype == np.float32 and decoded.shape == (24, 40)
    np.testing.assert_allclose(decoded, np.floor(confidence * 6 + 0.5) / 6, atol=1e-6)
    assert np.abs(decoded - confidence).max() <= 1 / 12 + 1e-6


def test_interpolated_spatial_confidence_survives_storage_within_half_a_level():
    # A Spatial Confidence map as the generator makes it: T = 6 cut levels on the patch grid, floored at 0.5,
    # interpolated bilinearly to the pixels of the mask. Stored with L = 4 T level sets, every k / T value comes
    # back exactly and the interpolated border within 1 / (2 L); flooring lost up to a whole level.
    grid = np.array([[1, 1, 5 / 6, 4 / 6], [1, 1, 5 / 6, 0.5], [1, 1, 1, 0.5]], np.float32)
    instance = np.ones(grid.shape, bool)
    mask = np.ones((48, 64), bool)
    confidence = confidence_to_image(grid, instance, mask)
    plateau = upsample_nearest_values(grid, mask.shape)
    assert len(np.unique(confidence)) > 20                     # the interpolation made many values
    decoded = decode_spatial_confidence(encode_spatial_confidence(confidence, levels=24))
    assert np.abs(decoded - confidence).max() <= 1 / 48 + 1e-6
    exact = np.isclose(confidence, plateau)
    np.testing.assert_allclose(decoded[exact], confidence[exact], atol=1e-6)


def test_exact_multiples_of_one_over_t_survive_float32_round_off():
    values = (np.arange(7) / 6).astype(np.float32)  # 0, 1/6, ..., 1 in float32
    decoded = decode_spatial_confidence(encode_spatial_confidence(values[None, :], levels=6))
    np.testing.assert_allclose(decoded[0], np.arange(7) / 6, atol=1e-6)


def test_level_sets_are_nested():
    confidence = np.linspace(0, 1, 100).reshape(10, 10)
    sets = [decode_mask(rle) for rle in encode_spatial_confidence(confidence, 4)['rles']]
    for outer, inner in zip(sets, sets[1:]):
        assert (inner <= outer).all()


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match='levels'):
        encode_spatial_confidence(np.zeros((2, 2)), 0)
    with pytest.raises(ValueError, match='NaN'):
        encode_spatial_confidence(np.full((2, 2), np.nan), 3)
    with pytest.raises(ValueError, match='2-D'):
        encode_mask(np.zeros((2, 2, 2), bool))
    encoded = encode_spatial_confidence(np.zeros((2, 2)), 3)
    with pytest.raises(ValueError, match='levels=2 but 3 level sets'):
        decode_spatial_confidence({**encoded, 'levels': 2})
