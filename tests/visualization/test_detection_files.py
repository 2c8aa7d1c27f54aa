"""Reading detections to draw: mmdet result pickles and COCO jsons (RLE, uncompressed RLE, polygons)."""
import json
import pickle

import numpy as np
import pytest
from pycocotools import mask as mask_utils

from cuts3d.visualization import DetectionFileError, load_detections, segmentation_mask

H, W = 20, 30


def _mask():
    mask = np.zeros((H, W), bool)
    mask[4:10, 5:15] = True
    return mask


def _rle(mask):
    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {'size': [H, W], 'counts': rle['counts'].decode()}


def test_segmentation_forms_decode_to_the_same_mask():
    mask = _mask()
    polygon = [[5, 4, 15, 4, 15, 10, 5, 10]]
    uncompressed = {'size': [H, W], 'counts': [int(c) for c in
                                               np.diff(np.flatnonzero(np.diff(np.r_[-1, mask.T.ravel(), -1])))]}
    assert np.array_equal(segmentation_mask(_rle(mask), H, W), mask)
    assert np.array_equal(segmentation_mask(uncompressed, H, W), mask)
    assert abs(int(segmentation_mask(polygon, H, W).sum()) - int(mask.sum())) <= 16
    with pytest.raises(DetectionFileError, match='unsupported segmentation'):
        segmentation_mask(3, H, W)


def test_coco_json_is_keyed_by_stem_with_xyxy_boxes(tmp_path):
    coco = {'images': [{'id': 1, 'file_name': 'sub/a.png', 'width': W, 'height': H},
                       {'id': 2, 'file_name': 'b.jpg', 'width': W, 'height': H}],
            'annotations': [{'id': 1, 'image_id': 1, 'bbox': [5, 4, 10, 6], 'segmentation': _rle(_mask()),
                             'score': 0.7, 'category_id': 1}],
            'categories': [{'id': 1, 'name': 'fg'}]}
    path = tmp_path / 'dets.json'
    path.write_text(json.dumps(coco))
    detections = load_detections(path)
    assert sorted(detections) == ['a', 'b']
    np.testing.assert_allclose(detections['a'].boxes, [[5, 4, 15, 10]])
    np.testing.assert_allclose(detections['a'].scores, [0.7])
    assert np.array_equal(detections['a'].masks[0], _mask())
    assert len(detections['b'].boxes) == 0


def test_mmdet_results_pickle(tmp_path):
    results = [{'img_path': '/data/x/c.png', 'pred_instances': {
        'bboxes': np.array([[1, 2, 3, 4.0]]), 'scores': np.array([0.9]), 'labels': np.array([0]),
        'masks': [_rle(_mask())]}}]
    path = tmp_path / 'results.pkl'
    path.write_bytes(pickle.dumps(results))
    detections = load_detections(path)
    np.testing.assert_allclose(detections['c'].boxes, [[1, 2, 3, 4]])
    assert np.array_equal(detections['c'].masks[0], _mask())


def test_bad_files_are_refused(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_detections(tmp_path / 'none.json')
    (tmp_path / 'd.txt').write_text('x')
    with pytest.raises(DetectionFileError, match='unsupported detections file type'):
        load_detections(tmp_path / 'd.txt')
    (tmp_path / 'e.json').write_text('{"annotations": []}')
    with pytest.raises(DetectionFileError, match='needs "images"'):
        load_detections(tmp_path / 'e.json')
    (tmp_path / 'f.pkl').write_bytes(pickle.dumps([{'scores': []}]))
    with pytest.raises(DetectionFileError, match='img_path and pred_instances'):
        load_detections(tmp_path / 'f.pkl')
