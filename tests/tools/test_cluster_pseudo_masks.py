"""tools/cluster_pseudo_masks.py: a valid C-class json with same-coloured masks in one cluster, centroids,
embedding cache, mmdet loading, exit codes."""
import json
import textwrap

import numpy as np
import pytest
from PIL import Image
from tool_modules import load_tool

from cuts3d.datasets import PseudoMaskDataset
from cuts3d.structures import encode_mask, encode_spatial_confidence
from cuts3d.u2seg import cluster_class_names

COLOURS = {'red': (230, 30, 30), 'blue': (30, 60, 230)}
# Per image: (colour, top, left, bottom, right) on a 64 x 96 grey image.
SCENES = [[('red', 4, 4, 28, 30), ('blue', 30, 50, 60, 90)],
          [('blue', 2, 10, 22, 40), ('red', 30, 40, 62, 70)],
          [('red', 10, 60, 40, 92), ('blue', 36, 4, 60, 36)]]


tool = load_tool('cluster_pseudo_masks')


@pytest.fixture
def inputs(tmp_path):
    """Images, a class-agnostic pseudo-mask json and a config with PatchColorFeatures; returns their paths and the
    colour of each annotation."""
    (tmp_path / 'images').mkdir()
    images, annotations, colours = [], [], []
    for image_id, objects in enumerate(SCENES, start=1):
        pixels = np.full((64, 96, 3), 90, np.uint8)
        for colour, top, left, bottom, right in objects:
            mask = np.zeros((64, 96), bool)
            mask[top:bottom, left:right] = True
            pixels[mask] = COLOURS[colour]
            annotations.append({'id': len(annotations) + 1, 'image_id': image_id, 'category_id': 1,
                                'segmentation': encode_mask(mask), 'area': int(mask.sum()),
                                'bbox': [left, top, right - left, bottom - top], 'iscrowd': 0, 'score': 0.75,
                                'spatial_confidence': encode_spatial_confidence(mask * 0.75, 4)})
            colours.append(colour)
        Image.fromarray(pixels).save(tmp_path / 'images' / f'{image_id}.png')
        images.append({'id': image_id, 'file_name': f'{image_id}.png', 'width': 96, 'height': 64})
    pseudo = tmp_path / 'pseudo.json'
    pseudo.write_text(json.dumps({'images': images, 'annotations': annotations,
                                  'categories': [{'id': 1, 'name': 'fg'}]}))
    config = tmp_path / 'config.py'
    config.write_text(textwrap.dedent("""
        clustering = dict(feature_extractor=dict(type='PatchColorFeatures', patch_size=8, input_size=(64, 96)),
                          num_clusters=2, seed=0, iterations=20)
        """))
    return tmp_path, config, pseudo, colours


def test_writes_clusters_by_colour_and_centroids(inputs, capsys):
    root, config, pseudo, colours = inputs
    out = root / 'clustered.json'
    assert tool.main([str(config), str(pseudo), '--images', str(root / 'images'), '--out', str(out),
                      '--no-progress']) == 0
    assert '6 pseudo-masks of 3 images in 2 clusters (2 non-empty, largest 3)' in capsys.readouterr().out
    clustered = json.loads(out.read_text())
    assert clustered['categories'] == [{'id': 1, 'name': 'cluster_1', 'supercategory': 'fg'},
                                       {'id': 2, 'name': 'cluster_2', 'supercategory': 'fg'}]
    by_colour = {}
    for ann, colour in zip(clustered['annotations'], colours):
        by_colour.setdefault(colour, set()).add(ann['category_id'])
        assert ann['score'] == 0.75 and ann['spatial_confidence']['levels'] == 4
    assert by_colour['red'] != by_colour['blue'] and all(len(ids) == 1 for ids in by_colour.values())
    assert clustered['info']['clustering']['num_clusters'] == 2
    centroids = np.load(root / 'clustered.centroids.npy')
    assert centroids.shape == (2, 125)


def test_stock_mmdet_loads_the_clustered_file_with_the_cluster_classes(inputs):
    root, config, pseudo, colours = inputs
    out = root / 'clustered.json'
    assert tool.main([str(config), str(pseudo), '--images', str(root / 'images'), '--out', str(out),
                      '--no-progress']) == 0
    dataset = PseudoMaskDataset(ann_file=str(out), data_prefix=dict(img=str(root / 'images')),
                                metainfo=dict(classes=cluster_class_names(2)), pipeline=[])
    labels = [inst['bbox_label'] for i in range(len(dataset)) for inst in dataset.get_data_info(i)['instances']]
    clustered = json.loads(out.read_text())
    assert labels == [ann['category_id'] - 1 for ann in clustered['annotations']]


def test_embedding_cache_and_other_cluster_counts(inputs):
    root, config, pseudo, _ = inputs
    cache = root / 'embeddings.npy'
    common = [str(config), str(pseudo), '--images', str(root / 'images'), '--embeddings', str(cache),
              '--no-progress']
    assert tool.main(common + ['--out', str(root / 'c2.json')]) == 0
    assert np.load(cache).shape == (6, 125)
    # From the cache: no images needed.
    cached = [str(config), str(pseudo), '--images', str(root / 'missing'), '--embeddings', str(cache),
              '--no-progress', '--out', str(root / 'c3.json'), '--num-clusters', '3']
    assert tool.main(cached) == 0
    assert len(json.loads((root / 'c3.json').read_text())['categories']) == 3


def test_bad_input_exits_2_with_one_line(inputs, capsys):
    root, config, pseudo, _ = inputs
    args = [str(pseudo), '--images', str(root / 'images'), '--out', str(root / 'x.json'), '--no-progress']
    assert tool.main([str(config)] + args + ['--num-clusters', '7']) == 2
    assert 'cannot form 7 clusters from 6 points' in capsys.readouterr().err
    (root / 'empty.py').write_text('x = 1\n')
    assert tool.main([str(root / 'empty.py')] + args) == 2
    assert 'no clustering.feature_extractor' in capsys.readouterr().err
    assert tool.main([str(config), str(root / 'none.json')] + args[1:]) == 2
    assert 'no such file' in capsys.readouterr().err
    (root / 'bad.npy').parent.mkdir(exist_ok=True)
    np.save(root / 'bad.npy', np.zeros((2, 3)))
    assert tool.main([str(config)] + args + ['--embeddings', str(root / 'bad.npy')]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and 'delete it to recompute' in err[0]
    assert not (root / 'x.json').exists()
