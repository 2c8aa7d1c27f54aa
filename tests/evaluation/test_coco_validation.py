"""COCO validation: each kind of invalid entry that used to change metrics silently is named with its annotation."""
import copy

import numpy as np
import pytest
from pycocotools import mask as mask_utils

from cuts3d.evaluation.coco_validation import CocoFileError, rle_run_lengths, validate_coco
from cuts3d.structures.rle import encode_mask


def valid_file():
    mask = np.zeros((20, 30), bool)
    mask[5:15, 10:25] = True
    return {'images': [{'id': 1, 'file_name': 'a.png', 'width': 30, 'height': 20}],
            'categories': [{'id': 1, 'name': 'fg'}],
            'annotations': [{'id': 1, 'image_id': 1, 'category_id': 1, 'bbox': [10.0, 5.0, 15.0, 10.0],
                             'area': 150, 'iscrowd': 0, 'score': 0.9, 'segmentation': encode_mask(mask),
                             'spatial_confidence': {'levels': 1, 'rles': [encode_mask(mask)]}},
                            {'id': 2, 'image_id': 1, 'category_id': 1, 'bbox': [0, 0, 4, 4], 'area': 16,
                             'iscrowd': 0, 'segmentation': [[0, 0, 4, 0, 4, 4, 0, 4]]}]}


def broken(change):
    data = copy.deepcopy(valid_file())
    change(data, data['annotations'][0])
    return data


@pytest.mark.parametrize('change, message', [
    (lambda d, a: a.update(bbox=[10, 5, -4, 8]), r'annotation 1 \(image 1\): bbox .* negative width or height'),
    (lambda d, a: a.update(bbox=[-3, 5, 4, 8]), 'negative x or y'),
    (lambda d, a: a.update(bbox=[10, 5, float('nan'), 8]), 'not 4 finite numbers'),
    (lambda d, a: a.update(image_id=7), r'annotation 1: image_id 7 is not in "images"'),
    (lambda d, a: a.update(category_id=3), 'category_id 3 is not in "categories"'),
    (lambda d, a: a['segmentation'].update(size=[30, 20]), r'RLE size \[30, 20\] .* \[20, 30\] .*swapped'),
    (lambda d, a: a['segmentation'].update(counts='#$%garbage'), 'RLE counts cannot be decoded'),
    (lambda d, a: a['segmentation'].update(counts='Xn1'), 'RLE counts cover .* pixels, not 20 x 30'),
    (lambda d, a: a.update(score=float('nan')), 'score nan is not a finite number'),
    (lambda d, a: a.update(area=-1), 'area -1 is not a non-negative number'),
    (lambda d, a: a.update(segmentation=[[1, 2, 3]]), 'polygon must be a flat list'),
    (lambda d, a: a['spatial_confidence'].update(levels=2), 'spatial_confidence must be'),
    (lambda d, a: a.update(id=2), 'annotation id 2 appears twice'),
    (lambda d, a: d['images'][0].update(width=0), 'width and height must be positive integers'),
    (lambda d, a: d.pop('categories'), 'not a COCO instances file'),
])
def test_each_problem_is_one_line_naming_the_annotation(change, message):
    with pytest.raises(CocoFileError, match=f'^gt.json: .*{message}') as error:
        validate_coco(broken(change), 'gt.json')
    assert '\n' not in str(error.value)


def test_valid_file_and_required_keys():
    validate_coco(valid_file(), 'gt.json', required=('bbox', 'segmentation', 'area', 'iscrowd'))
    data = valid_file()
    del data['annotations'][1]['segmentation']
    with pytest.raises(CocoFileError, match=r'annotation 2 \(image 1\): has no segmentation'):
        validate_coco(data, 'train.json', required=('bbox', 'segmentation'))
    data['annotations'] = []
    validate_coco(data, 'val.json')
    with pytest.raises(CocoFileError, match='train.json: has no annotations'):
        validate_coco(data, 'train.json', require_annotations=True)


def test_run_lengths_match_pycocotools_on_random_masks():
    rng = np.random.default_rng(0)
    for trial in range(60):
        height, width = rng.integers(1, 120, 2)
        mask = rng.random((height, width)) > (0.5 if trial % 3 else 0.02)
        rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
        flat = mask.flatten(order='F').astype(np.int8)
        bounds = np.concatenate([[0], np.flatnonzero(np.diff(flat)) + 1, [flat.size]])
        expected = np.diff(bounds)
        if flat[0]:
            expected = np.concatenate([[0], expected])
        np.testing.assert_array_equal(rle_run_lengths(rle['counts']), expected)
        np.testing.assert_array_equal(rle_run_lengths(rle['counts'].decode()), expected)
