import numpy as np
import pytest

from cuts3d.depth import ConstantDepth
from cuts3d.registry import DEPTH_SOURCES, build_component


def test_constant_map_at_image_size():
    source = build_component(dict(type='ConstantDepth', value=0.25), DEPTH_SOURCES)
    out = source(np.zeros((5, 7, 3), dtype=np.uint8), {'img_path': '/x.jpg', 'rel_path': 'x.jpg'})
    assert out.shape == (5, 7) and out.dtype == np.float32
    assert (out == 0.25).all()
    assert (ConstantDepth()(np.zeros((2, 3, 3), dtype=np.uint8), {}) == 0.5).all()


@pytest.mark.parametrize('value', [-0.1, 1.5])
def test_value_outside_unit_interval_is_refused(value):
    with pytest.raises(ValueError, match=r'\[0, 1\]'):
        ConstantDepth(value)
