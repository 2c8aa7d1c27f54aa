"""ImageFolderDataset: the images of a folder as an mmdet test set, sorted, with the config's class names."""
import numpy as np
import pytest
from mmengine.registry import DefaultScope
from PIL import Image

from cuts3d.registry import DATASETS


@pytest.fixture
def folder(tmp_path):
    for name in ('b.png', 'a.jpg', 'sub/c.png'):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.full((12, 16, 3), 100, np.uint8)).save(tmp_path / name)
    (tmp_path / 'notes.txt').write_text('not an image')
    return tmp_path


def build(folder, **kwargs):
    kwargs.setdefault('metainfo', dict(classes=('fg', )))
    with DefaultScope.overwrite_default_scope('cuts3d'):
        return DATASETS.build(dict(type='ImageFolderDataset', data_root='', data_prefix=dict(img=str(folder)),
                                   pipeline=[dict(type='LoadImageFromFile')], **kwargs))


def test_every_image_sorted_with_ids_and_no_instances(folder):
    dataset = build(folder)
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    assert [info['rel_path'] for info in infos] == ['a.jpg', 'b.png', 'sub/c.png']
    assert [info['img_id'] for info in infos] == [1, 2, 3] and all(info['instances'] == [] for info in infos)
    assert dataset.test_mode and dataset.metainfo['classes'] == ('fg', )
    assert dataset[2]['img'].shape == (12, 16, 3)


def test_class_names_are_required(folder):
    with pytest.raises(ValueError, match=r'ImageFolderDataset needs metainfo=dict\(classes='):
        build(folder, metainfo=None)
