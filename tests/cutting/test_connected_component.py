"""MaskCut's seed component partitioner (cuts3d/cutting/connected_component.py)."""
import numpy as np
import pytest

from cuts3d.cutting import ConnectedComponent2D
from cuts3d.registry import PARTITIONERS, build_component
from cuts3d.structures import Cut, CutContext

BIPARTITION = np.array([[1, 1, 0, 0, 0],
                        [1, 0, 0, 1, 1],
                        [0, 0, 1, 1, 0],
                        [0, 1, 0, 0, 0]], dtype=bool)


def cut(seed: int) -> Cut:
    return Cut(bipartition=BIPARTITION, eigenvector=np.zeros((4, 5), np.float32), seed=seed)


def context() -> CutContext:
    return CutContext(image=np.zeros((32, 40, 3), np.uint8), grid=(4, 5))


def test_keeps_the_4_connected_component_of_the_seed():
    right = np.zeros((4, 5), bool)
    right[1, 3:5] = right[2, 2:4] = True
    np.testing.assert_array_equal(ConnectedComponent2D()(cut(seed=8), context()), right)  # seed at (1, 3)
    top_left = np.zeros((4, 5), bool)
    top_left[0, 0:2] = top_left[1, 0] = True
    np.testing.assert_array_equal(ConnectedComponent2D()(cut(seed=0), context()), top_left)


def test_8_connectivity_joins_diagonal_neighbours():
    mask = ConnectedComponent2D(connectivity=8)(cut(seed=12), context())  # seed at (2, 2)
    right_and_diagonal = np.zeros((4, 5), bool)
    right_and_diagonal[1, 3:5] = right_and_diagonal[2, 2:4] = right_and_diagonal[3, 1] = True
    np.testing.assert_array_equal(mask, right_and_diagonal)


def test_registered_with_maskcut_default():
    partitioner = build_component(dict(type='ConnectedComponent2D'), PARTITIONERS)
    assert partitioner.connectivity == 4


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match='connectivity must be 4 or 8'):
        ConnectedComponent2D(connectivity=6)
    with pytest.raises(ValueError, match='not in the bipartition'):
        ConnectedComponent2D()(cut(seed=2), context())
    with pytest.raises(ValueError, match='outside'):
        ConnectedComponent2D()(cut(seed=20), context())
    with pytest.raises(ValueError, match='h x w'):
        ConnectedComponent2D()(Cut(BIPARTITION.reshape(-1), np.zeros(20, np.float32), 0), context())
