"""`_base_` inheritance with an override: the mechanism every ablation config uses."""
import textwrap

from mmengine.config import Config


def test_ablation_overrides_one_field_and_keeps_the_rest(tmp_path):
    (tmp_path / 'method.py').write_text(textwrap.dedent("""
        pseudo_mask_generator = dict(
            type='MaskCutGenerator', num_cuts=3,
            partitioner=dict(type='LocalCut', k=10, tau_knn=0.115),
            confidence=dict(type='SpatialConfidence', num_cuts=6))
        """))
    (tmp_path / 'ablation.py').write_text(textwrap.dedent("""
        _base_ = ['./method.py']
        pseudo_mask_generator = dict(partitioner=dict(tau_knn=0.13))
        """))
    cfg = Config.fromfile(str(tmp_path / 'ablation.py'))
    gen = cfg.pseudo_mask_generator
    assert gen.partitioner == dict(type='LocalCut', k=10, tau_knn=0.13)
    assert gen.num_cuts == 3 and gen.confidence.type == 'SpatialConfidence'


def test_delete_replaces_a_component_whole(tmp_path):
    (tmp_path / 'method.py').write_text("partitioner = dict(type='LocalCut', k=10, tau_knn=0.115)\n")
    (tmp_path / 'ablation.py').write_text(
        "_base_ = ['./method.py']\npartitioner = dict(_delete_=True, type='ConnectedComponent2D')\n")
    cfg = Config.fromfile(str(tmp_path / 'ablation.py'))
    assert cfg.partitioner == dict(type='ConnectedComponent2D')
