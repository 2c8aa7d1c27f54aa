"""The extraction-quality benchmark (tools/quality_benchmark.py): its metrics by hand, one tiny run."""
import json

import numpy as np
import pytest

from cuts3d.registry import FEATURE_EXTRACTORS, build_component
from cuts3d.structures import Instance
from tool_modules import load_tool

quality_benchmark = load_tool('quality_benchmark')
FEATURES = quality_benchmark.FEATURES
CachedFeatures = quality_benchmark.CachedFeatures
SceneDepth = quality_benchmark.SceneDepth
auroc = quality_benchmark.auroc
benchmark_scenes = quality_benchmark.benchmark_scenes
generator_config = quality_benchmark.generator_config
ground_truth = quality_benchmark.ground_truth
matched_object = quality_benchmark.matched_object
pixel_correctness = quality_benchmark.pixel_correctness
refiner_record = quality_benchmark.refiner_record
run_case = quality_benchmark.run_case


def test_auroc_is_the_probability_that_a_correct_pixel_scores_higher_ties_counting_half():
    assert auroc(np.array([0.9, 0.8, 0.1, 0.2]), np.array([True, True, False, False])) == 1.0
    assert auroc(np.array([0.1, 0.2, 0.9, 0.8]), np.array([True, True, False, False])) == 0.0
    assert auroc(np.array([0.5, 0.5, 0.5]), np.array([True, False, True])) == 0.5
    assert auroc(np.array([1.0, 0.5, 0.5]), np.array([True, True, False])) == 0.75
    assert np.isnan(auroc(np.array([0.3, 0.4]), np.array([True, True])))


def test_pixels_are_correct_inside_the_object_the_mask_overlaps_most():
    objects = [np.zeros((4, 4), bool), np.zeros((4, 4), bool)]
    objects[0][:2] = True
    objects[1][2:] = True
    mask = np.zeros((4, 4), bool)
    mask[1:3] = True                                  # 4 pixels on each object, and one more on the second
    mask[3, 0] = True
    assert matched_object(mask, objects) == (1, pytest.approx(5 / 12))
    confidence = np.where(mask, 0.5, 0).astype(np.float32)
    sc, correct = pixel_correctness(Instance(mask, confidence, 0.5), objects)
    assert sc.tolist() == [0.5] * 9 and correct.sum() == 5
    assert matched_object(mask, [np.zeros((4, 4), bool)]) == (-1, 0.0)


def test_refiner_record_counts_discards_and_bleed_into_other_objects():
    objects = [np.zeros((6, 6), bool), np.zeros((6, 6), bool)]
    objects[0][:, :3] = True
    objects[1][:, 3:] = True
    grown = objects[0].copy()
    grown[:, 3] = True                                # the refiner spreads one column into object 2
    record = refiner_record([(objects[0], grown), (objects[1], None)], objects)
    assert record['calls'] == 2 and record['discarded'] == 1 and record['discarded_good'] == 1
    assert record['added'] == 6 and record['bleed'] == 6
    assert record['iou_before'] == 1.0 and record['iou_after'] == pytest.approx(18 / 24)


def test_scene_depth_blurs_like_a_monocular_estimator():
    depth = np.zeros((16, 16), np.float32)
    depth[:, 8:] = 1.0
    source = SceneDepth(blur=2.0)
    source.set(depth)
    assert 0 < source(None, {})[0, 7] < 0.5 < source(None, {})[0, 8] < 1
    exact = SceneDepth()
    exact.set(depth)
    assert exact(None, {}) is depth


def test_a_run_scores_each_scene_kind_with_the_projects_coco_evaluation(tmp_path):
    scenes = benchmark_scenes(('same_appearance_overlap', 'distinct_separated'), (0, ), 1, 128)
    depth = SceneDepth()
    base = dict(type='MaskCutGenerator', cutter=dict(type='NCutCutter'), depth_source=dict(type='ConstantDepth'),
                partitioner=dict(type='LocalCut'), confidence=dict(type='SpatialConfidence'),
                refiner=dict(type='NoRefiner'), stop_on_rest=True)
    cfg = generator_config(base, {'cutter.claimed': 'remove'}, FEATURES['patch_color'](128), depth)
    assert cfg['depth_source'] is depth and cfg['cutter']['claimed'] == 'remove'
    features = CachedFeatures(build_component(FEATURES['patch_color'](128), FEATURE_EXTRACTORS))
    result = run_case('patch_color/cuts3d', cfg, scenes, depth, features, tmp_path)
    assert set(result.metrics) == {'same_appearance_overlap', 'distinct_separated'}
    for kind, metrics in result.metrics.items():
        assert 0 <= metrics['AP'] <= metrics['AP50'] <= 1 and metrics['masks'] > 0
        assert sum(metrics['decisions'].values()) >= metrics['masks']
        written = json.loads((tmp_path / kind / 'patch_color_cuts3d.json').read_text())
        assert len(written['annotations']) == metrics['masks'] and written['annotations'][0]['provenance']
    assert ground_truth(scenes[:1])['images'][0]['file_name'] == 'same_appearance_overlap/s0_000.png'
