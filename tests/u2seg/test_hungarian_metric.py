"""HungarianMatchingMetric: clusters mapped to ground-truth classes (U2Seg Table 8's thresholds), then COCO AP."""
import json

import numpy as np
import pytest
import torch
from pycocotools import mask as mask_utils

from cuts3d.u2seg import HungarianMatchingMetric, cluster_class_counts, cluster_to_class, relabel_prediction

SIZE = 100
CATEGORIES = [{'id': 3, 'name': 'a'}, {'id': 7, 'name': 'b'}, {'id': 9, 'name': 'c'}]
# Per image: (category id, x, y, w, h).
GT = {1: [(3, 10, 10, 30, 30), (7, 50, 50, 30, 30)],
      2: [(3, 5, 5, 20, 20), (9, 60, 10, 30, 40)],
      3: [(7, 10, 60, 30, 30), (9, 50, 50, 40, 40)]}
CLUSTER_OF = {3: 0, 7: 5, 9: 2}  # the permutation the matching must recover


def xyxy(x, y, w, h):
    return [x, y, x + w, y + h]


def box_mask(box):
    mask = np.zeros((SIZE, SIZE), np.uint8)
    x1, y1, x2, y2 = (int(v) for v in box)
    mask[y1:y2, x1:x2] = 1
    return mask


@pytest.fixture
def gt_file(tmp_path):
    images = [{'id': i, 'file_name': f'{i}.png', 'width': SIZE, 'height': SIZE} for i in GT]
    annotations = []
    for image_id, objects in GT.items():
        for cat, x, y, w, h in objects:
            rle = mask_utils.encode(np.asfortranarray(box_mask(xyxy(x, y, w, h))))
            annotations.append({'id': len(annotations) + 1, 'image_id': image_id, 'category_id': cat,
                                'bbox': [x, y, w, h], 'area': w * h, 'iscrowd': 0,
                                'segmentation': {'size': rle['size'], 'counts': rle['counts'].decode()}})
    path = tmp_path / 'gt.json'
    path.write_text(json.dumps({'images': images, 'annotations': annotations, 'categories': CATEGORIES}))
    return str(path)


def predictions(extra=()):
    """Per image: a perfect prediction of each GT instance in its cluster (score 0.9), plus ``extra``
    ``(image_id, cluster, box xyxy, score)``."""
    per_image = {i: [(CLUSTER_OF[cat], xyxy(x, y, w, h), 0.9) for cat, x, y, w, h in objs] for i, objs in GT.items()}
    for image_id, cluster, box, score in extra:
        per_image[image_id].append((cluster, box, score))
    preds = []
    for image_id, dets in per_image.items():
        masks = [box_mask(box) for _, box, _ in dets]
        preds.append({'img_id': image_id, 'bboxes': np.array([b for _, b, _ in dets], np.float32),
                      'scores': np.array([s for _, _, s in dets], np.float32),
                      'labels': np.array([c for c, _, _ in dets], np.int64),
                      'masks': [mask_utils.encode(np.asfortranarray(m)) for m in masks]})
    return preds


LOW_SCORE = (1, 4, xyxy(10, 10, 30, 30), 0.3)  # cluster 4 on a class-3 object, confidence 0.3
HALF_OVERLAP = (3, 6, [63, 50, 103, 90], 0.9)  # cluster 6 on the class-9 object of image 3 at IoU 0.51


def mapping_of(metric, preds):
    counts = cluster_class_counts(preds, metric._coco_api, metric.cat_ids, metric.score_thr, metric.iou_thr,
                                  metric.match_iou_type)
    return {c: metric.cat_ids[k] for c, k in cluster_to_class(counts, metric.assignment).items()}


def evaluate(metric, preds):
    return metric.compute_metrics([({}, p) for p in preds])


def test_recovers_the_permutation_and_scores_perfectly(gt_file):
    metric = HungarianMatchingMetric(gt_file)
    preds = predictions([LOW_SCORE, HALF_OVERLAP])
    assert mapping_of(metric, preds) == {0: 3, 5: 7, 2: 9}
    results = evaluate(metric, preds)
    assert results['bbox_mAP'] == pytest.approx(1.0) and results['segm_mAP'] == pytest.approx(1.0)
    assert results['matched_clusters'] == 3 and 'bbox_AR@100' in results
    # Without the mapping the clusters would be scored as classes 0, 5, 2: nothing would match.
    assert metric.cat_ids == [3, 7, 9]


@pytest.mark.parametrize('assignment', ['hungarian', 'majority'])
def test_the_thresholds_decide_which_predictions_vote(gt_file, assignment):
    preds = predictions([LOW_SCORE, HALF_OVERLAP])
    strict = mapping_of(HungarianMatchingMetric(gt_file, assignment=assignment), preds)
    low_conf = mapping_of(HungarianMatchingMetric(gt_file, score_thr=0.2, assignment=assignment), preds)
    low_iou = mapping_of(HungarianMatchingMetric(gt_file, iou_thr=0.5, assignment=assignment), preds)
    if assignment == 'majority':  # every voting cluster gets its class
        assert strict == {0: 3, 5: 7, 2: 9}
        assert low_conf == {0: 3, 5: 7, 2: 9, 4: 3} and low_iou == {0: 3, 5: 7, 2: 9, 6: 9}
    else:  # one-to-one: the extra clusters lose their class to the stronger ones
        assert strict == low_conf == low_iou == {0: 3, 5: 7, 2: 9}
    counts = cluster_class_counts(preds, HungarianMatchingMetric(gt_file)._coco_api, [3, 7, 9], 0.2, 0.5)
    assert counts[4].tolist() == [1, 0, 0] and counts[6].tolist() == [0, 0, 1] and counts.sum() == 8


def test_a_wrong_majority_changes_the_mapping_and_the_score(gt_file):
    # Cluster 0 also fires confidently on class-7 objects, 3 times against its 2 class-3 hits: majority gives it
    # class 7 (and class 3's objects go unmatched); one-to-one keeps the assignment of largest total (6 vs 5).
    extra = [(1, 0, xyxy(50, 50, 30, 30), 0.8), (3, 0, xyxy(10, 60, 30, 30), 0.8), (3, 0, xyxy(10, 60, 30, 30), 0.7)]
    preds = predictions(extra)
    majority = HungarianMatchingMetric(gt_file, assignment='majority')
    assert mapping_of(majority, preds) == {0: 7, 5: 7, 2: 9}
    assert evaluate(majority, preds)['bbox_mAP'] < 0.9
    hungarian = HungarianMatchingMetric(gt_file)
    assert mapping_of(hungarian, preds) == {0: 3, 5: 7, 2: 9}
    assert evaluate(hungarian, preds)['bbox_mAP'] > evaluate(majority, preds)['bbox_mAP']


def test_segm_matching_and_mapping_file(gt_file, tmp_path):
    metric = HungarianMatchingMetric(gt_file, match_iou_type='segm', outfile_prefix=str(tmp_path / 'out' / 'r'))
    evaluate(metric, predictions([HALF_OVERLAP]))
    assert json.loads((tmp_path / 'out' / 'r.cluster_mapping.json').read_text()) == {'0': 3, '2': 9, '5': 7}


def test_relabel_drops_unmatched_clusters():
    pred = predictions()[0]
    out = relabel_prediction(pred, {0: 2})
    assert out['labels'].tolist() == [2] and len(out['bboxes']) == len(out['scores']) == len(out['masks']) == 1
    assert pred['labels'].tolist() == [0, 5]


def test_the_mmengine_evaluation_path(gt_file):
    metric = HungarianMatchingMetric(gt_file, metric='bbox')
    metric.dataset_meta = {'classes': ('fg', )}  # the val dataset may stay class-agnostic
    for pred in predictions():
        sample = {'img_id': pred['img_id'], 'ori_shape': (SIZE, SIZE),
                  'pred_instances': {'bboxes': torch.from_numpy(pred['bboxes']),
                                     'scores': torch.from_numpy(pred['scores']),
                                     'labels': torch.from_numpy(pred['labels'])}}
        metric.process({}, [sample])
    results = metric.evaluate(size=3)
    assert results['hungarian/bbox_mAP'] == pytest.approx(1.0) and results['hungarian/matched_clusters'] == 3


def test_bad_arguments(gt_file, tmp_path):
    with pytest.raises(ValueError, match='needs ann_file'):
        HungarianMatchingMetric('')
    with pytest.raises(ValueError, match='"bbox" and/or "segm"'):
        HungarianMatchingMetric(gt_file, metric='proposal')
    with pytest.raises(ValueError, match='score_thr'):
        HungarianMatchingMetric(gt_file, iou_thr=0)
    with pytest.raises(ValueError, match='assignment'):
        HungarianMatchingMetric(gt_file, assignment='greedy')
    with pytest.raises(ValueError, match='match_iou_type'):
        HungarianMatchingMetric(gt_file, match_iou_type='mask')
    empty = tmp_path / 'empty.json'
    empty.write_text(json.dumps({'images': [], 'annotations': [], 'categories': []}))
    with pytest.raises(ValueError, match='no categories'):
        HungarianMatchingMetric(str(empty))
