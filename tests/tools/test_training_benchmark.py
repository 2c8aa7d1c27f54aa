"""Synthetic pseudo-masks with Spatial Confidence (tools/training_benchmark.py) and the step timer."""
import numpy as np
import pytest
from pycocotools import mask as mask_utils

from tool_modules import load_tool

from cuts3d.structures import decode_confidence_levels

training_benchmark = load_tool('training_benchmark')
spatial_confidence_from_mask = training_benchmark.spatial_confidence_from_mask
time_training_steps = training_benchmark.time_training_steps
write_benchmark_data = training_benchmark.write_benchmark_data


def test_confidence_rises_towards_the_inside_of_the_mask():
    mask = np.zeros((40, 40), np.uint8)
    mask[10:30, 10:30] = 1
    entry, score = spatial_confidence_from_mask(mask, levels=3, band=2)
    level, levels = decode_confidence_levels(entry, 40, 40)
    assert levels == 3
    assert level[20, 20] == 3 and level[10, 20] == 2 and level[9, 20] == 1 and level[0, 0] == 0
    assert mask_utils.decode(entry['rles'][1]).tolist() == mask.tolist()  # the middle level is the mask
    assert 2 / 3 < score < 1


def test_levels_must_be_positive():
    with pytest.raises(ValueError, match='levels'):
        spatial_confidence_from_mask(np.ones((4, 4)), levels=0)


def test_time_training_steps_on_the_tiny_config(tmp_path):
    root = write_benchmark_data(tmp_path, num_images=2, size=96)
    timings = time_training_steps('configs/demo/cad_tiny.py', root, iters=1, warmup=0, batch_size=1)
    assert set(timings) == {'data_s', 'step_s', 'total_s', 'step_min_s', 'step_max_s', 'step_cpu_s'}
    assert 0 < timings['data_s'] < timings['total_s'] and timings['step_min_s'] <= timings['step_s']
