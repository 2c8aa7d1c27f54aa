"""tools/eval_pseudo_masks.py: table, metrics json, exit codes."""
import json

import numpy as np
import pytest
from tool_modules import load_tool

from cuts3d.structures import encode_mask

tool = load_tool('eval_pseudo_masks')


@pytest.fixture
def files(tmp_path):
    mask = np.zeros((40, 70), bool)
    mask[5:30, 10:60] = True
    segmentation = encode_mask(mask)
    annotation = {'id': 1, 'image_id': 1, 'category_id': 5, 'segmentation': segmentation, 'bbox': [10, 5, 50, 25],
                  'area': float(mask.sum()), 'iscrowd': 0}
    gt = {'images': [{'id': 1, 'file_name': 'x.png', 'width': 70, 'height': 40}],
          'categories': [{'id': 5, 'name': 'thing'}], 'annotations': [annotation]}
    pseudo = {'images': [{'id': 3, 'file_name': 'x.png', 'width': 70, 'height': 40}],
              'categories': [{'id': 1, 'name': 'fg'}],
              'annotations': [dict(annotation, id=9, image_id=3, category_id=1, score=0.7)]}
    (tmp_path / 'gt.json').write_text(json.dumps(gt))
    (tmp_path / 'pseudo.json').write_text(json.dumps(pseudo))
    return tmp_path / 'pseudo.json', tmp_path / 'gt.json'


def test_prints_a_table_and_writes_metrics(files, tmp_path, capsys):
    pseudo, gt = files
    out = tmp_path / 'metrics.json'
    assert tool.main([str(pseudo), str(gt), '--score-key', 'none', '--out', str(out)]) == 0
    printed = capsys.readouterr().out
    assert '1 pseudo-masks on 1 ground-truth images' in printed
    assert any(line.split()[:2] == ['segm', '100.0'] for line in printed.splitlines())
    metrics = json.loads(out.read_text())
    assert metrics['bbox']['AP'] == pytest.approx(1.0) and metrics['segm']['AP50'] == pytest.approx(1.0)


def test_bad_input_exits_2_with_one_line(files, tmp_path, capsys):
    pseudo, gt = files
    assert tool.main([str(tmp_path / 'none.json'), str(gt)]) == 2
    assert tool.main([str(pseudo), str(tmp_path / 'none.json')]) == 2
    (tmp_path / 'other.json').write_text(json.dumps({'images': [{'id': 1, 'file_name': 'y.png', 'width': 1,
                                                                   'height': 1}],
                                                       'annotations': [], 'categories': []}))
    assert tool.main([str(pseudo), str(tmp_path / 'other.json')]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 3 and all(e.startswith('cuts3d eval: error:') for e in errors)
    assert 'no such file' in errors[0] and 'does not exist' in errors[1] and 'no image of' in errors[2]
