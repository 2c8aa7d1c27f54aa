"""``cuts3d infer``: a detector trained for two iterations on tiny pseudo-masks, run on plain photos (no ground
truth): a self-contained COCO results json and one overlay per photo."""
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pycocotools.coco import COCO
from tiny_pseudo_mask_data import data_options, write_tiny_dataset

from cuts3d.cli import infer, train

CONFIG = 'configs/demo/cuts3d_cad_tiny.py'


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
    root = write_tiny_dataset(tmp_path_factory.mktemp('data'), num_images=2)
    work_dir = tmp_path_factory.mktemp('work')
    assert train.main([CONFIG, '--work-dir', str(work_dir), '--cfg-options', *data_options(root),
                       'train_cfg.max_iters=2', 'train_cfg.val_interval=2', 'default_hooks.checkpoint.interval=2',
                       'param_scheduler.1.end=2']) == 0
    return str(work_dir / 'iter_2.pth')


@pytest.fixture
def photos(tmp_path):
    rng = np.random.default_rng(0)
    folder = tmp_path / 'photos'
    for name, size in (('beach.jpg', (90, 120)), ('trip/cat.png', (100, 80))):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        image = np.full((*size, 3), (60, 120, 170), np.uint8)
        image[20:60, 30:70] = rng.integers(0, 255, 3)
        Image.fromarray(image).save(folder / name)
    return folder


def test_results_json_holds_images_and_overlays_are_written(checkpoint, photos, tmp_path, capsys):
    out, show = tmp_path / 'out' / 'preds.json', tmp_path / 'show'
    assert infer.main([CONFIG, checkpoint, '--images', str(photos), '--out', str(out), '--show-dir', str(show),
                       '--work-dir', str(tmp_path / 'work')]) == 0
    data = json.loads(out.read_text())
    assert [(i['id'], i['file_name'], i['width'], i['height']) for i in data['images']] == \
        [(1, 'beach.jpg', 120, 90), (2, 'trip/cat.png', 80, 100)]
    assert data['categories'] == [{'id': 1, 'name': 'fg'}]
    assert data['info']['checkpoint'] == str(Path(checkpoint).resolve())
    assert data['annotations'], 'the model predicts nothing: the test shows nothing'
    coco = COCO(str(out))
    for annotation in data['annotations']:
        image = coco.imgs[annotation['image_id']]
        assert coco.annToMask(annotation).shape == (image['height'], image['width'])
        assert 0.0 <= annotation['score'] <= 1.0
    assert sorted(str(p.relative_to(show)) for p in show.rglob('*.png')) == ['beach.png', 'trip/cat.png']
    assert np.asarray(Image.open(show / 'trip' / 'cat.png')).shape == (100, 80, 3)
    assert f'cuts3d infer: 2 images, {len(data["annotations"])} detections' in capsys.readouterr().out
    assert (tmp_path / 'out' / 'preds.failures.jsonl').read_text() == ''  # written on every run: never stale


def test_an_unreadable_image_is_listed_as_failed_and_the_others_are_done(checkpoint, photos, tmp_path, capsys):
    data = (photos / 'beach.jpg').read_bytes()
    (photos / 'trip' / 'broken.png').write_bytes((photos / 'trip' / 'cat.png').read_bytes()[:60])  # truncated
    (photos / 'garbage.png').write_bytes(bytes(range(256)))
    out, show = tmp_path / 'preds.json', tmp_path / 'show'
    assert infer.main([CONFIG, checkpoint, '--images', str(photos), '--out', str(out), '--show-dir', str(show),
                       '--work-dir', str(tmp_path / 'work')]) == infer.EXIT_SOME_FAILED
    results = json.loads(out.read_text())
    assert [(i['id'], i['file_name']) for i in results['images']] == [(1, 'beach.jpg'), (4, 'trip/cat.png')]
    assert results['annotations'] and {a['image_id'] for a in results['annotations']} <= {1, 4}
    failures = [json.loads(line) for line in (tmp_path / 'preds.failures.jsonl').read_text().splitlines()]
    assert [(f['file_name'], f['path']) for f in failures] == [
        ('garbage.png', str(photos / 'garbage.png')), ('trip/broken.png', str(photos / 'trip' / 'broken.png'))]
    assert all(f['reason'] and '\n' not in f['reason'] for f in failures)
    assert sorted(str(p.relative_to(show)) for p in show.rglob('*.png')) == ['beach.png', 'trip/cat.png']
    captured = capsys.readouterr()
    assert 'cuts3d infer: 2 images' in captured.out
    assert f'cuts3d infer: failed: {photos / "garbage.png"}: {failures[0]["reason"]}' in captured.err
    assert '2 of 4 image(s) could not be loaded' in captured.err
    assert (photos / 'beach.jpg').read_bytes() == data


def test_exit_1_when_no_image_loads(checkpoint, tmp_path, capsys):
    photos = tmp_path / 'photos'
    photos.mkdir()
    (photos / 'empty.jpg').write_bytes(b'')
    out = tmp_path / 'preds.json'
    assert infer.main([CONFIG, checkpoint, '--images', str(photos), '--out', str(out),
                       '--work-dir', str(tmp_path / 'work')]) == infer.EXIT_FAILED
    assert json.loads(out.read_text())['images'] == []
    assert json.loads((tmp_path / 'preds.failures.jsonl').read_text())['file_name'] == 'empty.jpg'
    assert '1 of 1 image(s) could not be loaded' in capsys.readouterr().err


def test_refuses_outputs_inside_the_photos_and_a_config_without_classes(checkpoint, photos, tmp_path, capsys):
    assert infer.main([CONFIG, checkpoint, '--images', str(photos), '--out', str(photos / 'preds.json')]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith('cuts3d infer: error: --out') and 'inside' in err
    assert infer.main([CONFIG, checkpoint, '--images', str(photos), '--out', str(tmp_path / 'p.json'),
                       '--cfg-options', 'test_dataloader.dataset.metainfo=None',
                       'train_dataloader.dataset.dataset.metainfo=None']) == 2
    assert 'no metainfo.classes in its test or training dataset' in capsys.readouterr().err
    assert infer.main([CONFIG, str(tmp_path / 'none.pth'), '--images', str(photos), '--out',
                       str(tmp_path / 'p.json')]) == 2
    assert 'checkpoint not found' in capsys.readouterr().err


def test_pipeline_loads_with_the_placeholder_loader_and_packs_the_failure_mark():
    from mmengine.config import Config

    from cuts3d.cli_config import RunConfigError

    def cfg(*pipeline):
        dataset = dict(type='CocoDataset', ann_file='a.json', pipeline=list(pipeline))
        return Config(dict(test_dataloader=dict(dataset=dataset)))

    load = dict(type='LoadImageFromFile', backend_args=None)
    pipeline = infer.test_pipeline(cfg(load, dict(type='LoadAnnotations'), dict(type='mmdet.PackDetInputs')))
    assert pipeline[0] == dict(type='LoadImageFromFileOrPlaceholder', backend_args=None)
    assert pipeline[1]['type'] == 'mmdet.PackDetInputs' and pipeline[1]['meta_keys'][-1] == 'load_failure'
    assert 'img_id' in pipeline[1]['meta_keys'] and 'scale_factor' in pipeline[1]['meta_keys']  # mmdet's defaults
    with pytest.raises(RunConfigError, match='must load the images with one LoadImageFromFile'):
        infer.test_pipeline(cfg(dict(type='LoadImageFromNDArray'), dict(type='PackDetInputs')))
