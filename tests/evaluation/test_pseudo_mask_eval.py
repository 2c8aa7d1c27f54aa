"""Class-agnostic COCOeval of raw pseudo-mask files."""
import copy

import numpy as np
import pytest
from pycocotools import mask as mask_utils

from cuts3d.evaluation.coco_validation import CocoFileError
from cuts3d.evaluation.pseudo_mask_eval import (STAT_NAMES, EvaluationInputError, evaluate_pseudo_masks,
                                                format_table)
from cuts3d.structures import encode_mask


def rle_annotation(ann_id, image_id, category_id, mask):
    rle = encode_mask(mask)
    coded = {'size': rle['size'], 'counts': rle['counts'].encode()}
    return {'id': ann_id, 'image_id': image_id, 'category_id': category_id, 'segmentation': rle,
            'area': float(mask_utils.area(coded)), 'bbox': [float(v) for v in mask_utils.toBbox(coded)],
            'iscrowd': 0}


def ground_truth():
    """Two non-square images, three categories (collapsed by the evaluation), RLE and polygon annotations."""
    first = np.zeros((60, 100), bool)
    first[5:40, 10:50] = True
    second = np.zeros((60, 100), bool)
    second[30:58, 60:95] = True
    third = np.zeros((80, 40), bool)
    third[10:70, 5:35] = True
    polygon = {'id': 4, 'image_id': 2, 'category_id': 9, 'iscrowd': 0, 'area': 100.0,
               'segmentation': [[2.0, 2.0, 12.0, 2.0, 12.0, 12.0, 2.0, 12.0]], 'bbox': [2.0, 2.0, 10.0, 10.0]}
    return {
        'images': [{'id': 1, 'file_name': 'a.jpg', 'width': 100, 'height': 60},
                   {'id': 2, 'file_name': 'b.jpg', 'width': 40, 'height': 80}],
        'categories': [{'id': 3, 'name': 'cat'}, {'id': 7, 'name': 'dog'}, {'id': 9, 'name': 'box'}],
        'annotations': [rle_annotation(1, 1, 3, first), rle_annotation(2, 1, 7, second),
                        rle_annotation(3, 2, 3, third), polygon],
    }


def pseudo_from(gt, file_names=None, image_ids=(11, 12)):
    """A pseudo-mask file holding exactly the ground truth's objects (own image ids and category 1)."""
    id_map = dict(zip([img['id'] for img in gt['images']], image_ids))
    images = [dict(img, id=id_map[img['id']]) for img in gt['images']]
    if file_names:
        for img, name in zip(images, file_names):
            img['file_name'] = name
    sizes = {img['id']: (img['height'], img['width']) for img in gt['images']}
    annotations = []
    for i, ann in enumerate(gt['annotations']):
        height, width = sizes[ann['image_id']]
        segmentation = ann['segmentation']
        if isinstance(segmentation, list):
            rle = mask_utils.merge(mask_utils.frPyObjects(segmentation, height, width))
            segmentation = {'size': rle['size'], 'counts': rle['counts'].decode()}
        annotations.append({'id': 100 + i, 'image_id': id_map[ann['image_id']], 'category_id': 1,
                            'segmentation': segmentation, 'bbox': ann['bbox'], 'area': ann['area'], 'iscrowd': 0,
                            'score': 0.8})
    return {'images': images, 'annotations': annotations, 'categories': [{'id': 1, 'name': 'fg'}]}


def test_pseudo_masks_equal_to_the_ground_truth_score_ap_1():
    gt = ground_truth()
    results = evaluate_pseudo_masks(pseudo_from(gt), gt)
    for iou_type in ('bbox', 'segm'):
        for name in ('AP', 'AP50', 'AP75', 'AR10', 'AR100'):
            assert results[iou_type][name] == pytest.approx(1.0), (iou_type, name)
        assert set(results[iou_type]) == set(STAT_NAMES)
    assert results['images_evaluated'] == 2 and results['detections'] == 4
    assert gt == ground_truth()  # the caller's ground truth is not modified


def test_score_key_decides_the_ranking():
    gt = ground_truth()
    pseudo = pseudo_from(gt)
    false_positive = copy.deepcopy(pseudo['annotations'][0])
    false_positive['segmentation'] = encode_mask(np.pad(np.ones((5, 5), bool), ((50, 5), (0, 95))))
    false_positive['bbox'] = [0.0, 50.0, 5.0, 5.0]
    false_positive['score'] = 0.1
    false_positive['id'] = max(ann['id'] for ann in pseudo['annotations']) + 1
    pseudo['annotations'].insert(0, false_positive)
    ranked = evaluate_pseudo_masks(pseudo, gt, score_key='score')
    unranked = evaluate_pseudo_masks(pseudo, gt, score_key='none')
    assert ranked['segm']['AP'] == pytest.approx(1.0)
    assert unranked['segm']['AP'] < 0.99


def test_images_are_matched_by_base_name_and_extra_pseudo_images_are_ignored():
    gt = ground_truth()
    pseudo = pseudo_from(gt, file_names=['val/a.jpg', 'val/b.jpg'])
    pseudo['images'].append({'id': 99, 'file_name': 'val/c.jpg', 'width': 10, 'height': 10})
    results = evaluate_pseudo_masks(pseudo, gt)
    assert results['pseudo_images_not_in_gt'] == 1 and results['segm']['AP'] == pytest.approx(1.0)


def test_only_covered_ground_truth_images_are_evaluated():
    gt = ground_truth()
    pseudo = pseudo_from(gt)
    pseudo['images'] = pseudo['images'][:1]
    pseudo['annotations'] = [a for a in pseudo['annotations'] if a['image_id'] == 11]
    results = evaluate_pseudo_masks(pseudo, gt)
    assert results['images_evaluated'] == 1 and results['segm']['AP'] == pytest.approx(1.0)


def test_no_detections_gives_zero_ap():
    gt = ground_truth()
    pseudo = pseudo_from(gt)
    pseudo['annotations'] = []
    results = evaluate_pseudo_masks(pseudo, gt)
    assert results['segm']['AP'] == 0.0 and results['bbox']['AR100'] == 0.0


def test_mismatched_sizes_and_disjoint_files_are_errors():
    gt = ground_truth()
    pseudo = pseudo_from(gt)
    pseudo['images'][0]['width'], pseudo['images'][0]['height'] = 60, 100  # CutLER's swapped width/height
    with pytest.raises(CocoFileError, match=r'RLE size \[60, 100\] is not .* \[100, 60\] .*swapped'):
        evaluate_pseudo_masks(pseudo, gt)
    for ann in pseudo['annotations']:  # masks of the declared size: the sizes still differ from the ground truth's
        if ann['image_id'] == pseudo['images'][0]['id']:
            ann['segmentation'] = encode_mask(np.zeros((100, 60), bool))
            ann.pop('spatial_confidence', None)
    with pytest.raises(EvaluationInputError, match='a.jpg: pseudo-mask image is 60 x 100 but the ground truth'):
        evaluate_pseudo_masks(pseudo, gt)
    with pytest.raises(EvaluationInputError, match='no image of the pseudo-mask file'):
        evaluate_pseudo_masks(pseudo_from(gt, file_names=['x.jpg', 'y.jpg']), gt)
    with pytest.raises(ValueError, match='unknown score key'):
        evaluate_pseudo_masks(pseudo_from(gt), gt, score_key='confidence')


def test_table_shows_percent_and_dashes_for_empty_size_ranges():
    table = format_table(evaluate_pseudo_masks(pseudo_from(ground_truth()), ground_truth(), iou_types=('segm',)))
    header, row = table.splitlines()
    assert header.split() == list(STAT_NAMES) and row.split()[:2] == ['segm', '100.0']
    assert '-' in row.split()  # no large objects in these tiny images
