"""The no-op mask refiner (cuts3d/cutting/no_refiner.py)."""
import numpy as np
import pytest

from cuts3d.cutting import NoRefiner
from cuts3d.registry import MASK_REFINERS, build_component


def test_returns_the_mask_unchanged_as_a_bool_copy():
    image = np.zeros((4, 6, 3), np.uint8)
    mask = np.zeros((4, 6), np.uint8)
    mask[1:3, 2:5] = 1
    refined = build_component(dict(type='NoRefiner'), MASK_REFINERS)(image, mask)
    assert refined.dtype == bool
    np.testing.assert_array_equal(refined, mask.astype(bool))
    assert not np.shares_memory(refined, mask)


def test_empty_mask_is_discarded():
    assert NoRefiner()(np.zeros((4, 6, 3), np.uint8), np.zeros((4, 6), bool)) is None


def test_mask_of_another_size_is_a_clear_error():
    with pytest.raises(ValueError, match='mask has shape'):
        NoRefiner()(np.zeros((4, 6, 3), np.uint8), np.ones((6, 4), bool))
