"""The pseudo-mask json: loadable unchanged by pycocotools and mmdet, with true width/height and SC level sets."""
import json

import numpy as np
import pytest
from mmengine.registry import DefaultScope
from PIL import Image
from pycocotools.coco import COCO

from cuts3d import __version__
from cuts3d.pseudo.coco_reader import (PseudoMaskFileError, annotation_confidence, annotation_mask,
                                       load_pseudo_masks)
from cuts3d.pseudo.coco_writer import annotation_from_instance, generator_info, image_entry, write_coco_json
from cuts3d.structures import Instance

HEIGHT, WIDTH = 30, 50  # non-square on purpose: CutLER's json swapped width and height


def make_instances():
    first = np.zeros((HEIGHT, WIDTH), bool)
    first[2:12, 5:40] = True
    second = np.zeros((HEIGHT, WIDTH), bool)
    second[15:28, 30:48] = True
    confidence = np.where(second, 0.5, 0.0).astype(np.float32)
    confidence[15:20, 30:48] = 1.0
    return [Instance(first, first.astype(np.float32), 1.0, {'cut_index': 0}),
            Instance(second, confidence, float(confidence[second].mean()), {'cut_index': 2})]


@pytest.fixture
def pseudo_file(tmp_path):
    image = np.random.default_rng(0).integers(0, 255, (HEIGHT, WIDTH, 3), dtype=np.uint8)
    Image.fromarray(image).save(tmp_path / 'a.png')
    instances = make_instances()
    annotations = [{'id': i + 1, 'image_id': 1, **annotation_from_instance(inst, levels=4)}
                   for i, inst in enumerate(instances)]
    info = generator_info({'type': 'MaskCutGenerator', 'num_cuts': 3, 'input_size': (480, 480)}, levels=4)
    path = tmp_path / 'pseudo.json'
    write_coco_json(path, info, iter([image_entry(1, 'a.png', WIDTH, HEIGHT)]), iter(annotations))
    return path, instances


def test_annotation_fields(pseudo_file):
    path, instances = pseudo_file
    data = json.loads(path.read_text())
    assert data['categories'] == [{'id': 1, 'name': 'fg', 'supercategory': 'fg'}]
    assert data['images'] == [{'id': 1, 'file_name': 'a.png', 'width': WIDTH, 'height': HEIGHT}]
    ann = data['annotations'][0]
    assert ann['iscrowd'] == 0 and ann['category_id'] == 1 and isinstance(ann['segmentation']['counts'], str)
    assert ann['bbox'] == [5.0, 2.0, 35.0, 10.0] and ann['area'] == 350
    assert ann['segmentation']['size'] == [HEIGHT, WIDTH]
    assert data['annotations'][1]['score'] == pytest.approx(instances[1].score)
    assert data['annotations'][1]['sc_mean'] == pytest.approx(instances[1].score)
    assert data['annotations'][1]['provenance'] == {'cut_index': 2}


def test_levels_that_cannot_hold_the_instances_confidence_levels_are_refused():
    # T = 6 cuts make values k / 6; 4 level sets would round 5/6 to 3/4 without a word.
    mask = np.zeros((HEIGHT, WIDTH), bool)
    mask[5:25, 5:45] = True
    confidence = np.where(mask, 5 / 6, 0).astype(np.float32)
    instance = Instance(mask, confidence, 5 / 6, {'cut_index': 0, 'confidence_levels': 6})
    with pytest.raises(ValueError, match='multiple of 6'):
        annotation_from_instance(instance, levels=4)
    stored = annotation_confidence(annotation_from_instance(instance, levels=12))
    np.testing.assert_allclose(stored, confidence, atol=1e-6)


def test_info_records_the_generator_config_and_version(pseudo_file):
    info = load_pseudo_masks(pseudo_file[0])['info']
    assert info['cuts3d_version'] == __version__
    assert info['pseudo_mask_generator'] == {'type': 'MaskCutGenerator', 'num_cuts': 3, 'input_size': [480, 480]}
    assert info['spatial_confidence_levels'] == 4 and info['spatial_confidence_max_error'] == 0.125


def test_pycocotools_loads_it_unchanged(pseudo_file):
    path, instances = pseudo_file
    coco = COCO(str(path))
    assert coco.imgs[1]['width'] == WIDTH and coco.imgs[1]['height'] == HEIGHT
    for ann, inst in zip(coco.loadAnns(coco.getAnnIds(imgIds=[1])), instances):
        np.testing.assert_array_equal(coco.annToMask(ann).astype(bool), inst.mask)


def test_reader_decodes_masks_and_confidence(pseudo_file):
    path, instances = pseudo_file
    anns = load_pseudo_masks(path)['annotations']
    np.testing.assert_array_equal(annotation_mask(anns[1]), instances[1].mask)
    np.testing.assert_allclose(annotation_confidence(anns[1]), instances[1].confidence)  # 0.5, 1 are on the grid
    without_sc = {k: v for k, v in anns[1].items() if k != 'spatial_confidence'}
    np.testing.assert_allclose(annotation_confidence(without_sc), instances[1].mask * anns[1]['score'])


def test_mmdet_coco_dataset_loads_it_and_masks_match_the_image(pseudo_file):
    from mmdet.datasets import CocoDataset
    path, instances = pseudo_file
    with DefaultScope.overwrite_default_scope('mmdet'):
        dataset = CocoDataset(
            ann_file=str(path), data_root=str(path.parent), data_prefix=dict(img=''), metainfo=dict(classes=('fg',)),
            pipeline=[dict(type='LoadImageFromFile'), dict(type='LoadAnnotations', with_bbox=True, with_mask=True)])
        sample = dataset[0]
    assert len(dataset) == 1 and sample['img'].shape == (HEIGHT, WIDTH, 3)
    assert sample['gt_masks'].masks.shape == (2, HEIGHT, WIDTH)
    for mask, inst in zip(sample['gt_masks'].masks, instances):
        np.testing.assert_array_equal(mask.astype(bool), inst.mask)
    np.testing.assert_allclose(sample['gt_bboxes'].tensor[0].numpy(), [5, 2, 40, 12])


def test_categories_replace_the_fg_category(tmp_path):
    path = tmp_path / 'clustered.json'
    categories = [{'id': 1, 'name': 'cluster_1'}, {'id': 2, 'name': 'cluster_2'}]
    annotation = {'id': 1, 'image_id': 1, **annotation_from_instance(make_instances()[0], levels=4), 'category_id': 2}
    write_coco_json(path, {}, [image_entry(1, 'a.png', WIDTH, HEIGHT)], [annotation], categories=categories)
    coco = COCO(str(path))
    assert coco.dataset['categories'] == categories and coco.getAnnIds(catIds=[2]) == [1]
    assert coco.getAnnIds(catIds=[1]) == []


def test_write_is_atomic_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / 'out.json'
    path.write_text('old')

    def failing():
        yield image_entry(1, 'a.png', 4, 4)
        raise RuntimeError('disk full')

    with pytest.raises(RuntimeError, match='disk full'):
        write_coco_json(path, {}, failing(), iter([]))
    assert path.read_text() == 'old' and [p.name for p in tmp_path.iterdir()] == ['out.json']


def test_reader_rejects_files_that_are_not_coco(tmp_path):
    (tmp_path / 'x.json').write_text('{"images": []}')
    with pytest.raises(PseudoMaskFileError, match='no annotations, categories'):
        load_pseudo_masks(tmp_path / 'x.json')
    (tmp_path / 'y.json').write_text('{')
    with pytest.raises(PseudoMaskFileError, match='not valid json'):
        load_pseudo_masks(tmp_path / 'y.json')
    with pytest.raises(PseudoMaskFileError, match='no such file'):
        load_pseudo_masks(tmp_path / 'z.json')


def test_info_says_which_components_ran_on_random_weights():
    pretrained = {'type': 'MaskCutGenerator', 'feature_extractor': {'type': 'DINOFeatures', 'checkpoint': 'x.pth'}}
    assert 'random_weights' not in generator_info(pretrained, levels=4)
    random = {'type': 'MultiKSpectralGenerator', 'feature_extractor': {'type': 'MAEFeatures', 'pretrained': False},
              'saliency_extractor': {'type': 'DINOFeatures', 'pretrained': True}}
    assert generator_info(random, levels=4)['random_weights'] == ['pseudo_mask_generator.feature_extractor']
