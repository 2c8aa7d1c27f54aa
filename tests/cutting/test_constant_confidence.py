import numpy as np
import pytest

from cuts3d.cutting.connected_component import ConnectedComponent2D
from cuts3d.cutting.constant_confidence import ConstantConfidence
from cuts3d.registry import CONFIDENCE_ESTIMATORS, build_component
from cuts3d.structures import Cut, CutContext


def test_value_inside_zero_outside():
    instance = np.zeros((4, 5), bool)
    instance[1:3, 2:4] = True
    cut = Cut(instance, instance.astype(np.float32), 7)
    context = CutContext(image=np.zeros((32, 40, 3), np.uint8), grid=(4, 5))
    for value in (1.0, 0.8):
        confidence = ConstantConfidence(value)(cut, instance, context)
        assert confidence.dtype == np.float32
        np.testing.assert_array_equal(confidence, np.where(instance, np.float32(value), 0))


def test_bad_value():
    for value in (0, 1.5):
        with pytest.raises(ValueError):
            ConstantConfidence(value)


def test_built_like_the_generator_does_with_a_partitioner_injected():
    estimator = build_component(dict(type='ConstantConfidence'), CONFIDENCE_ESTIMATORS,
                                partitioner=ConnectedComponent2D())
    assert isinstance(estimator, ConstantConfidence) and estimator.value == 1.0
