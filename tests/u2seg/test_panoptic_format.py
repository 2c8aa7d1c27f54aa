"""COCO panoptic PNG encoding and categories."""
import numpy as np
import pytest
from PIL import Image

from cuts3d.u2seg import id_to_rgb, panoptic_categories, png_name, rgb_to_id, write_panoptic_png


def test_id_rgb_round_trip_through_a_png(tmp_path):
    ids = np.array([[0, 1, 255], [256, 70000, 256 ** 3 - 1]], np.int32)
    assert id_to_rgb(ids)[1, 0].tolist() == [0, 1, 0]
    path = tmp_path / 'a' / 'b.png'
    write_panoptic_png(path, ids)
    assert np.array_equal(rgb_to_id(np.asarray(Image.open(path))), ids)
    with pytest.raises(ValueError, match='segment ids'):
        id_to_rgb(np.array([[256 ** 3]]))


def test_categories_and_png_names():
    categories = panoptic_categories(2, 3)
    assert [(c['id'], c['name'], c['isthing']) for c in categories] == [
        (1, 'cluster_1', 1), (2, 'cluster_2', 1), (3, 'stuff_1', 0), (4, 'stuff_2', 0), (5, 'stuff_3', 0)]
    assert png_name('n01/a.JPEG') == 'n01/a.png'
