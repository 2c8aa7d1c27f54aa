"""What importing cuts3d loads: components register lazily, heavy libraries load when a component is built.

Each check runs in a fresh interpreter, so what it sees is what that import alone pulls in.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Libraries that cost seconds and hundreds of MB to import; mmpretrain's models import mmdet's and transformers.
HEAVY = ('mmdet.models', 'mmpretrain.models', 'open3d', 'transformers', 'diffusers')
TRAINING = ('cuts3d.models', 'cuts3d.datasets', 'cuts3d.evaluation', 'cuts3d.engine')


def modules_after(code: str) -> set[str]:
    """The names in ``sys.modules`` after running ``code`` in a fresh interpreter at the repository root."""
    script = f'import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))'
    result = subprocess.run([sys.executable, '-c', script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr.strip().splitlines()[-1:]
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_import_cuts3d_loads_no_framework():
    loaded = modules_after('import cuts3d')
    assert not {'torch', 'mmengine', 'mmdet', *HEAVY} & loaded


def test_import_features_loads_no_mmdet_models_and_no_open3d():
    loaded = modules_after('import cuts3d.features')
    assert 'cuts3d.features.vit_keys' in loaded  # the ViT extractors are registered ...
    assert not {'mmdet.models', 'mmpretrain.models', 'open3d'} & loaded  # ... but their network is not loaded


@pytest.mark.parametrize('package', ['cutting', 'depth', 'pseudo', 'engstler', 'unscene3d'])
def test_extraction_packages_load_no_heavy_library(package):
    assert not {'mmdet.models', 'mmpretrain.models', 'open3d'} & modules_after(f'import cuts3d.{package}')


@pytest.mark.parametrize('package', ['features', 'depth', 'cutting', 'pseudo'])
def test_extraction_never_imports_training(package):
    assert not set(TRAINING) & modules_after(f'import cuts3d.{package}')


def test_building_a_component_imports_its_package_through_the_registry():
    """mmengine's ``locations``: nothing but the registry is imported, yet a config's type is found."""
    loaded = modules_after('from cuts3d.registry import GRAPH_CUTTERS, build_component\n'
                           "build_component(dict(type='NCutCutter'), GRAPH_CUTTERS)")
    assert 'cuts3d.cutting.ncut' in loaded
    assert not {'open3d', 'mmdet.models', *TRAINING} & loaded


def test_self_training_metric_is_found_by_name():
    """The metric tools/self_train.py names in its prediction config is registered without importing it first."""
    loaded = modules_after('from cuts3d.registry import METRICS\n'
                           "assert METRICS.get('SelfTrainingAnnotator') is not None")
    assert 'cuts3d.evaluation.self_training_annotator' in loaded
