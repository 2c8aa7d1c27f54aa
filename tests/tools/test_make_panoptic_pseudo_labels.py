"""tools/make_panoptic_pseudo_labels.py: COCO panoptic json + PNGs whose segments agree, stuff fitted and saved,
exit codes."""
import json
import textwrap

import numpy as np
import pytest
from PIL import Image
from tool_modules import load_tool

from cuts3d.structures import encode_mask

SKY, GRASS, RED = (120, 170, 240), (40, 160, 40), (230, 30, 30)


tool = load_tool('make_panoptic_pseudo_labels')


@pytest.fixture
def inputs(tmp_path):
    """Two 32 x 48 images (sky over grass, one red thing of cluster 1 or 2), the clustered json, a config."""
    (tmp_path / 'images' / 'sub').mkdir(parents=True)
    images, annotations = [], []
    for image_id, (split, box, cluster) in enumerate([(12, (14, 4, 30, 20), 1), (20, (2, 30, 18, 46), 2)], 1):
        pixels = np.empty((32, 48, 3), np.uint8)
        pixels[:split], pixels[split:] = SKY, GRASS
        mask = np.zeros((32, 48), bool)
        mask[box[0]:box[2], box[1]:box[3]] = True
        pixels[mask] = RED
        name = f'sub/{image_id}.jpg'
        Image.fromarray(pixels).save(tmp_path / 'images' / name, quality=100)
        images.append({'id': image_id, 'file_name': name, 'width': 48, 'height': 32})
        annotations.append({'id': image_id, 'image_id': image_id, 'category_id': cluster,
                            'segmentation': encode_mask(mask), 'area': int(mask.sum()), 'iscrowd': 0,
                            'bbox': [box[1], box[0], box[3] - box[1], box[2] - box[0]], 'score': 1.0})
    clustered = tmp_path / 'clustered.json'
    clustered.write_text(json.dumps({'images': images, 'annotations': annotations,
                                     'categories': [{'id': 1, 'name': 'cluster_1'}, {'id': 2, 'name': 'cluster_2'}]}))
    config = tmp_path / 'config.py'
    config.write_text(textwrap.dedent("""
        custom_imports = dict(imports=['cuts3d.u2seg'])
        panoptic = dict(
            stuff_source=dict(type='KMeansStuff', num_classes=2,
                              feature_extractor=dict(type='PatchColorFeatures', patch_size=8, input_size=(32, 48))),
            max_thing_overlap=0.7, fit_images=10)
        """))
    return tmp_path, config, clustered


def test_writes_coco_panoptic_json_and_pngs(inputs, capsys):
    root, config, clustered = inputs
    out = root / 'panoptic' / 'train.json'
    assert tool.main([str(config), str(clustered), '--images', str(root / 'images'), '--out', str(out),
                      '--no-progress']) == 0
    assert '2 images, 6 segments (2 thing and 2 stuff classes)' in capsys.readouterr().out
    panoptic = json.loads(out.read_text())
    assert [(c['id'], c['isthing']) for c in panoptic['categories']] == [(1, 1), (2, 1), (3, 0), (4, 0)]
    assert np.load(root / 'panoptic' / 'train.stuff_centroids.npy').shape == (2, 125)
    stuff_of_sky = set()
    for ann, cluster in zip(panoptic['annotations'], (1, 2)):
        png = np.asarray(Image.open(root / 'panoptic' / 'train' / ann['file_name'])).astype(np.int64)
        ids = png[..., 0] + 256 * png[..., 1] + 256 ** 2 * png[..., 2]
        assert ann['file_name'].endswith('.png') and ann['file_name'].startswith('sub/')
        segments = ann['segments_info']
        assert [s['category_id'] for s in segments][0] == cluster  # the thing first, then two stuff segments
        assert sorted(s['category_id'] for s in segments[1:]) == [3, 4]
        for segment in segments:
            assert segment['area'] == int((ids == segment['id']).sum())
        assert int((ids == 0).sum()) == 0  # every pixel is thing or stuff here
        stuff_of_sky.add(next(s['category_id'] for s in segments if s['id'] == ids[0, 0]))
    assert len(stuff_of_sky) == 1  # the sky has one stuff class in both images


def test_bad_input_exits_2(inputs, capsys):
    root, config, clustered = inputs
    args = ['--images', str(root / 'images'), '--out', str(root / 'p.json'), '--no-progress']
    (root / 'agnostic.json').write_text(json.dumps({'images': [], 'annotations': [],
                                                    'categories': [{'id': 5, 'name': 'fg'}]}))
    assert tool.main([str(config), str(root / 'agnostic.json')] + args) == 2
    assert 'categories 1..C' in capsys.readouterr().err
    (root / 'empty.py').write_text('x = 1\n')
    assert tool.main([str(root / 'empty.py'), str(clustered)] + args) == 2
    assert 'no panoptic.stuff_source' in capsys.readouterr().err
    assert tool.main([str(config), str(clustered), '--images', str(root / 'none'), '--out', str(root / 'p.json')]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and 'is not a folder' in err[0]
    assert not (root / 'p.json').exists()
