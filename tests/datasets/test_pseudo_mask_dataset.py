"""PseudoMaskDataset and LoadSpatialConfidence on a small pseudo-mask json written by the test."""
import json

import cv2
import numpy as np
import pycocotools.mask as mask_utils
import pytest
from mmdet.datasets import MultiImageMixDataset
from mmdet.datasets.transforms import LoadAnnotations
from mmdet.structures.mask import PolygonMasks
from mmengine.registry import DefaultScope

from cuts3d.datasets import LoadSpatialConfidence, PseudoMaskDataset
from cuts3d.structures.spatial_confidence_masks import SpatialConfidenceMasks
from cuts3d.registry import DATASETS

HEIGHT, WIDTH = 20, 30


@pytest.fixture(autouse=True)
def cuts3d_scope():
    """Pipelines name transforms without scope, as configs with ``default_scope = 'cuts3d'`` do."""
    with DefaultScope.overwrite_default_scope('cuts3d'):
        yield


def encode(mask):
    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    rle['counts'] = rle['counts'].decode('ascii')
    return rle


def annotation(ann_id, image_id, mask, levels=None, num_levels=None, score=None):
    ys, xs = np.nonzero(mask)
    ann = {'id': ann_id, 'image_id': image_id, 'category_id': 1, 'iscrowd': 0, 'segmentation': encode(mask),
           'area': int(mask.sum()),
           'bbox': [int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)]}
    if levels is not None:
        ann['spatial_confidence'] = {'levels': num_levels,
                                     'rles': [encode(levels >= t) for t in range(1, num_levels + 1)]}
    if score is not None:
        ann['score'] = score
    return ann


@pytest.fixture
def pseudo_json(tmp_path):
    """Image 1: two CutS3D masks with SC (T = 4); image 2: one CutLER mask, no SC and no score."""
    for name in ('a.png', 'b.png'):
        cv2.imwrite(str(tmp_path / name), np.full((HEIGHT, WIDTH, 3), 90, np.uint8))
    first = np.zeros((HEIGHT, WIDTH), np.uint8)
    first[2:10, 3:12] = 1
    first_levels = first * 4
    first_levels[2:4, 3:12] = 2  # less confident top rows
    first_levels[10, 3:12] = 1  # SC reaching just outside the mask
    second = np.zeros((HEIGHT, WIDTH), np.uint8)
    second[12:18, 15:28] = 1
    third = np.zeros((HEIGHT, WIDTH), np.uint8)
    third[5:15, 5:25] = 1
    content = {
        'images': [{'id': 1, 'file_name': 'a.png', 'height': HEIGHT, 'width': WIDTH},
                   {'id': 2, 'file_name': 'b.png', 'height': HEIGHT, 'width': WIDTH}],
        'categories': [{'id': 1, 'name': 'fg'}],
        'annotations': [annotation(1, 1, first, first_levels, 4, 0.9), annotation(2, 1, second, second * 3, 4, 0.75),
                        annotation(3, 2, third)],
    }
    path = tmp_path / 'pseudo.json'
    path.write_text(json.dumps(content))
    return path, {'first_levels': first_levels, 'second': second, 'third': third}


def build(path, pipeline=(), **kwargs):
    kwargs.setdefault('metainfo', dict(classes=('fg', )))
    return DATASETS.build(dict(type='PseudoMaskDataset', ann_file=str(path), data_prefix=dict(img=str(path.parent)),
                               pipeline=list(pipeline), **kwargs))


LOADING = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
           dict(type='LoadSpatialConfidence')]


def test_parsed_instances_keep_score_and_spatial_confidence(pseudo_json):
    path, _ = pseudo_json
    dataset = build(path)
    assert isinstance(dataset, PseudoMaskDataset)
    assert dataset.metainfo['classes'] == ('fg',)
    first, second = dataset.get_data_info(0), dataset.get_data_info(1)
    assert [inst['score'] for inst in first['instances']] == [0.9, 0.75]
    assert first['instances'][0]['spatial_confidence']['levels'] == 4
    assert 'score' not in second['instances'][0] and 'spatial_confidence' not in second['instances'][0]
    assert first['instances'][0]['bbox'] == [3, 2, 12, 10]


def test_pipeline_decodes_sc_and_keeps_it_aligned_through_a_flip(pseudo_json):
    path, arrays = pseudo_json
    dataset = build(path, LOADING + [dict(type='RandomFlip', prob=1.0), dict(type='PackPseudoMaskInputs')])
    with_sc = dataset[0]['data_samples'].gt_instances
    assert isinstance(with_sc.masks, SpatialConfidenceMasks)
    np.testing.assert_allclose(with_sc.masks.confidence()[0], arrays['first_levels'][:, ::-1] / 4)
    np.testing.assert_allclose(with_sc.masks.confidence()[1], arrays['second'][:, ::-1] * 0.75)
    np.testing.assert_allclose(with_sc.scores.numpy(), [0.9, 0.75])
    without_sc = dataset[1]['data_samples'].gt_instances
    np.testing.assert_array_equal(without_sc.masks.confidence()[0], arrays['third'][:, ::-1])
    np.testing.assert_allclose(without_sc.scores.numpy(), [1.0])


def test_missing_score_is_the_mean_sc_inside_the_mask(pseudo_json):
    path, arrays = pseudo_json
    results = build(path).get_data_info(0)
    for instance in results['instances']:
        del instance['score']
    results = LoadSpatialConfidence()(_loaded(results))
    inside = arrays['first_levels'][2:10, 3:12]
    np.testing.assert_allclose(results['gt_masks'].scores, [inside.mean() / 4, 0.75])


def _loaded(data_info):
    data_info['ori_shape'] = (HEIGHT, WIDTH)
    return LoadAnnotations(with_bbox=True, with_mask=True)(data_info)


def test_copy_paste_runs_inside_multi_image_mix_dataset(pseudo_json):
    path, _ = pseudo_json
    np.random.seed(0)
    mixed = MultiImageMixDataset(dataset=build(path, LOADING),
                                 pipeline=[dict(type='ConfidentCopyPaste', alpha_blend=True),
                                           dict(type='PackPseudoMaskInputs')])
    for index in range(len(mixed)):
        instances = mixed[index]['data_samples'].gt_instances
        assert isinstance(instances.masks, SpatialConfidenceMasks)
        assert len(instances.masks) == len(instances.bboxes) == len(instances.scores) >= 1


@pytest.mark.parametrize('field, value, message', [
    ('score', 1.5, 'score 1.5'),
    ('spatial_confidence', {'levels': 3, 'rles': []}, 'malformed spatial_confidence'),
    ('spatial_confidence', [1, 2], 'malformed spatial_confidence'),
])
def test_malformed_annotations_fail_at_load_time(pseudo_json, field, value, message):
    path, _ = pseudo_json
    content = json.loads(path.read_text())
    content['annotations'][0][field] = value
    path.write_text(json.dumps(content))
    with pytest.raises(ValueError, match=message):
        build(path)


def test_load_spatial_confidence_rejects_a_misplaced_pipeline(pseudo_json):
    path, _ = pseudo_json
    data_info = build(path).get_data_info(0)
    data_info['ori_shape'] = (HEIGHT, WIDTH)
    with pytest.raises(KeyError, match='LoadAnnotations'):
        LoadSpatialConfidence()(dict(data_info))
    loaded = _loaded(dict(data_info))
    with pytest.raises(ValueError, match='before any geometric transform'):
        LoadSpatialConfidence()(dict(loaded, gt_masks=loaded['gt_masks'].rescale(2.0)))
    with pytest.raises(ValueError, match='2 masks but 1 instances'):
        LoadSpatialConfidence()(dict(loaded, instances=loaded['instances'][:1]))
    with pytest.raises(TypeError, match='poly2mask'):
        LoadSpatialConfidence()(dict(loaded, gt_masks=PolygonMasks([[np.zeros(6)]] * 2, HEIGHT, WIDTH)))
    twice = LoadSpatialConfidence()(dict(loaded))
    with pytest.raises(TypeError, match='twice'):
        LoadSpatialConfidence()(twice)


@pytest.mark.parametrize('metainfo', [None, {}, dict(classes=())])
def test_missing_class_names_are_an_error_not_an_empty_dataset(pseudo_json, metainfo):
    path, _ = pseudo_json
    with pytest.raises(ValueError, match=r'needs metainfo=dict\(classes=...\)'):
        build(path, metainfo=metainfo)


def test_a_category_the_classes_do_not_name_is_refused_for_training(pseudo_json):
    """mmdet keeps only the annotations of the named categories: 'object' would lose all three, silently."""
    path, _ = pseudo_json
    with pytest.raises(ValueError, match=r"category id\(s\) \[1\] \(on 2 image\(s\)\) are not among "
                                         r"metainfo.classes \('object',\)"):
        build(path, metainfo=dict(classes=('object', )))
    assert len(build(path, metainfo=dict(classes=('object', )), test_mode=True)) == 2  # evaluation reads the json
