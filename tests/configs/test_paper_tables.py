"""The ablation configs read like the paper's tables: each row is the row above plus one component.

Table 4 starts from CutLER as ``configs/cutler/`` defines it and ends at the method (``configs/cuts3d/``); Table 7
starts from CutLER's training on CutS3D's pseudo-masks and ends at the method too. Every row may change only what
its component touches (and the annotation file its extraction writes).
"""
from pathlib import Path

import pytest
from mmengine.config import Config

ROOT = Path(__file__).resolve().parents[2]
ABLATIONS = ROOT / 'configs' / 'cuts3d' / 'ablations'
# Top-level variables of the component file: building blocks a row may inherit, not settings of a run.
COMPONENTS = set(Config.fromfile(str(ROOT / 'configs' / '_base_' / 'cuts3d_components.py')).to_dict())
ANN_FILE = 'train_dataloader.dataset.dataset.ann_file'
GENERATOR = 'pseudo_mask_generator'

# LocalCut's loop: the depth, the 3D partitioner, the paper's node removal, the stop rule, the dropped-cut claim and
# the CRF's depth term (docs/extraction_quality.md says why each is part of it).
LOCAL_CUT = {f'{GENERATOR}.{key}' for key in ('depth_source', 'partitioner', 'stop_on_rest', 'rest_iou',
                                              'depth_reduce', 'claim_dropped', 'cutter.claimed',
                                              'refiner.depth_std')}
SPATIAL_IMPORTANCE = {f'{GENERATOR}.cutter.affinity_modifiers'}
SPATIAL_CONFIDENCE_TRAINING = {'model.roi_head.mask_head', 'train_pipeline', 'train_dataloader.dataset.pipeline'}
TABLE4_STEPS = [('cutler', 'localcut', LOCAL_CUT),
                ('localcut', 'spatial_importance', SPATIAL_IMPORTANCE),
                ('spatial_importance', 'spatial_confidence',
                 {f'{GENERATOR}.confidence', 'extraction.sc_levels', *SPATIAL_CONFIDENCE_TRAINING})]
TABLE7_STEPS = [('baseline', 'confident_copy_paste', {'train_pipeline', 'train_dataloader.dataset.pipeline'}),
                ('confident_copy_paste', 'alpha_blend', {'train_pipeline', 'train_dataloader.dataset.pipeline'}),
                ('alpha_blend', 'sc_loss', {'model.roi_head.mask_head'})]


def run_settings(path: Path) -> dict:
    """A config as a plain dict, without the component variables it inherits."""
    return {key: value for key, value in Config.fromfile(str(path)).to_dict().items() if key not in COMPONENTS}


def changed(before: dict, after: dict, prefix: str = '') -> set[str]:
    """Dotted paths of the settings that differ, at the shallowest level where they do (a replaced component, a
    new key, a changed value)."""
    if not (isinstance(before, dict) and isinstance(after, dict)):
        return set() if before == after else {prefix.rstrip('.')}
    paths = set()
    for key in set(before) | set(after):
        if key not in before or key not in after:
            paths.add(f'{prefix}{key}')
        elif isinstance(before[key], dict) and isinstance(after[key], dict) \
                and before[key].get('type') == after[key].get('type'):
            paths |= changed(before[key], after[key], f'{prefix}{key}.')
        elif before[key] != after[key]:
            paths.add(f'{prefix}{key}')
    return paths


@pytest.mark.parametrize('backbone', ['dino', 'diffncuts'])
def test_table4_cutler_row_is_configs_cutler_but_the_backbone(backbone):
    row = run_settings(ABLATIONS / f'table4_{backbone}_cutler.py')
    cutler = run_settings(ROOT / 'configs' / 'cutler' / 'maskcut_dino_vitb8_in1k.py')
    expected = {ANN_FILE} | ({f'{GENERATOR}.feature_extractor'} if backbone == 'diffncuts' else set())
    assert changed(cutler, row) == expected


@pytest.mark.parametrize('backbone', ['dino', 'diffncuts'])
@pytest.mark.parametrize('before, after, component', TABLE4_STEPS)
def test_each_table4_row_adds_one_component_to_the_row_above(backbone, before, after, component):
    above = run_settings(ABLATIONS / f'table4_{backbone}_{before}.py')
    row = run_settings(ABLATIONS / f'table4_{backbone}_{after}.py')
    assert changed(above, row) == component | {ANN_FILE}


@pytest.mark.parametrize('backbone', ['dino', 'diffncuts'])
def test_table4_last_row_is_the_method(backbone):
    assert run_settings(ABLATIONS / f'table4_{backbone}_spatial_confidence.py') == \
        run_settings(ROOT / 'configs' / 'cuts3d' / f'{backbone}_in1k.py')


@pytest.mark.parametrize('before, after, component', TABLE7_STEPS)
def test_each_table7_row_adds_one_training_component(before, after, component):
    above = run_settings(ABLATIONS / f'table7_{before}.py')
    row = run_settings(ABLATIONS / f'table7_{after}.py')
    assert changed(above, row) == component


def test_table7_trains_on_the_method_pseudo_masks_and_ends_at_the_method():
    method = run_settings(ROOT / 'configs' / 'cuts3d' / 'diffncuts_in1k.py')
    baseline = run_settings(ABLATIONS / 'table7_baseline.py')
    assert baseline[GENERATOR] == method[GENERATOR]
    assert changed(method, baseline) == SPATIAL_CONFIDENCE_TRAINING
    assert run_settings(ABLATIONS / 'table7_sc_loss.py') == method
