"""Plain photos as an mmdet test set: every image of a folder (or list file), no annotations.

``cuts3d infer`` runs a trained detector through mmengine's test loop (sharding, batching, the config's test
pipeline) on images that have no ground truth; a ``CocoDataset`` would need a json to list them. The images are
those :func:`cuts3d.pseudo.image_list.list_images` finds (sorted by path; ``img_id`` = index + 1), so the ids are the
same on every machine and in every rank.
"""
from __future__ import annotations

from typing import Any

from mmdet.datasets.base_det_dataset import BaseDetDataset

from cuts3d.registry import DATASETS

from ..pseudo.image_list import list_images


@DATASETS.register_module()
class ImageFolderDataset(BaseDetDataset):
    """The images under ``data_prefix['img']`` (a folder searched recursively, one image or a list file).

    ``metainfo`` must name the detector's ``classes`` (the training set's): they label the predictions, and a
    missing one would otherwise be COCO's 80 names. Each data info holds ``img_path``, ``img_id``, ``rel_path``
    (the path relative to the folder, for the results' ``file_name``) and no instances.
    """

    def __init__(self, *args: Any, metainfo: dict | None = None, **kwargs: Any) -> None:
        if not metainfo or not metainfo.get('classes'):
            raise ValueError('ImageFolderDataset needs metainfo=dict(classes=(...)): the class names of the detector')
        kwargs.setdefault('test_mode', True)
        super().__init__(*args, metainfo=metainfo, **kwargs)

    def load_data_list(self) -> list[dict]:
        _, items = list_images(self.data_prefix.get('img', self.data_root))
        return [{'img_path': item.path, 'img_id': item.index + 1, 'rel_path': item.rel_path, 'instances': [],
                 'seg_map_path': None} for item in items]

    def filter_data(self) -> list[dict]:
        """Every image (there are no annotations to filter on)."""
        return self.data_list
