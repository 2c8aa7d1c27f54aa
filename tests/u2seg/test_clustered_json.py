"""cuts3d/u2seg/clustered_json.py: categories 1..C, category ids, everything else kept, atomic writing."""
import json

import numpy as np
import pytest

from cuts3d.u2seg import cluster_categories, cluster_class_names, clustered_pseudo_masks
from cuts3d.utils.atomic_file import write_json_atomic


def test_categories_and_labels(scene_files, tmp_path):
    _, data = scene_files
    labels = np.array([2, 0, 0, 2, 2, 0])
    out = clustered_pseudo_masks(data, labels, 3, {'num_clusters': 3})
    assert out['categories'] == cluster_categories(3)
    assert [c['name'] for c in out['categories']] == list(cluster_class_names(3)) == ['cluster_1', 'cluster_2',
                                                                                       'cluster_3']
    assert [a['category_id'] for a in out['annotations']] == [3, 1, 1, 3, 3, 1]
    for before, after in zip(data['annotations'], out['annotations']):
        assert {k: v for k, v in after.items() if k != 'category_id'} == \
            {k: v for k, v in before.items() if k != 'category_id'}
    assert out['info']['clustering'] == {'num_clusters': 3} and data['categories'][0]['name'] == 'fg'
    path = tmp_path / 'sub' / 'clustered.json'
    write_json_atomic(path, out)
    assert json.loads(path.read_text()) == out and not list(path.parent.glob('*.tmp*'))


def test_label_checks(scene_files):
    _, data = scene_files
    with pytest.raises(ValueError, match='6 annotations'):
        clustered_pseudo_masks(data, np.zeros(5, int), 2, {})
    with pytest.raises(ValueError, match=r'0\.\.1'):
        clustered_pseudo_masks(data, np.array([0, 1, 2, 0, 1, 0]), 2, {})
