"""Synthetic scenes: determinism, RGB / depth / mask consistency, and the scene kinds they promise."""
import json

import numpy as np
import pytest
from pycocotools import mask as mask_utils
from scipy import ndimage

from cuts3d.utils.synthetic_images import (MIN_DEPTH_GAP, PLANE_NEAR, SCENE_KINDS, generate_scene,
                                           write_synthetic_dataset)

SIZE = 128


@pytest.fixture(scope='module')
def scenes():
    return [generate_scene(index, seed=3, size=SIZE) for index in range(6)]


def _neighbour_pairs(array):
    """Values of every horizontally and vertically adjacent pixel pair, flattened."""
    return ((array[:, :-1], array[:, 1:]), (array[:-1, :], array[1:, :]))


def test_same_seed_writes_byte_identical_files(tmp_path):
    first = write_synthetic_dataset(tmp_path / 'a', num=3, seed=7, size=96)
    second = write_synthetic_dataset(tmp_path / 'b', num=3, seed=7, size=96)
    names = sorted(p.relative_to(tmp_path / 'a') for p in (tmp_path / 'a').rglob('*') if p.is_file())
    assert len(names) == 7  # 3 PNG + 3 npy + json
    for name in names:
        assert (tmp_path / 'a' / name).read_bytes() == (tmp_path / 'b' / name).read_bytes(), name
    assert first.name == second.name == 'annotations.json'
    other = write_synthetic_dataset(tmp_path / 'c', num=1, seed=8, size=96)
    assert (other.parent / 'images/scene_0000.png').read_bytes() != (tmp_path / 'a/images/scene_0000.png').read_bytes()


def test_scene_depends_only_on_seed_and_index():
    np.testing.assert_array_equal(generate_scene(4, seed=1, size=96).image, generate_scene(4, seed=1, size=96).image)
    assert not np.array_equal(generate_scene(4, seed=1, size=96).image, generate_scene(5, seed=1, size=96).image)


def test_arrays_have_the_promised_types_and_ranges(scenes):
    for scene in scenes:
        assert scene.image.shape == (SIZE, SIZE, 3) and scene.image.dtype == np.uint8
        assert scene.depth.shape == (SIZE, SIZE) and scene.depth.dtype == np.float32
        assert 0.0 <= scene.depth.min() and scene.depth.max() <= 1.0
        assert scene.image.std() > 10  # textured, not flat


def test_kinds_cycle_with_the_index(scenes):
    assert [scene.kind for scene in scenes] == [SCENE_KINDS[i % 3] for i in range(6)]


def test_mask_borders_are_depth_discontinuities(scenes):
    """Adjacent pixels of different labels differ in depth by a clear step, pixels of one label smoothly."""
    for scene in scenes:
        for (la, lb), (da, db) in zip(_neighbour_pairs(scene.labels), _neighbour_pairs(scene.depth)):
            step = np.abs(da - db)
            assert step[la != lb].min() > 0.05
            assert step[la == lb].max() < 0.035


def test_plane_recedes_and_objects_lie_in_front(scenes):
    for scene in scenes:
        plane = scene.labels == 0
        column = np.where(plane, scene.depth, np.nan)
        assert np.nanmean(column[:SIZE // 4]) > np.nanmean(column[-SIZE // 4:])  # top is farther
        assert scene.depth[plane].min() >= PLANE_NEAR[0] - 0.05
        for mask in scene.masks:
            assert scene.depth[mask].max() < scene.depth[plane].min()


def test_every_object_is_visible_as_one_piece(scenes):
    for scene in scenes:
        for mask in scene.masks:
            assert mask.sum() > 0.005 * SIZE * SIZE
            assert ndimage.label(mask)[1] == 1


def _touching(a, b):
    return bool((ndimage.binary_dilation(a) & b).any())


def test_same_appearance_scenes_hold_touching_lookalikes_at_different_depths(scenes):
    """Kind (a): objects that look the same touch in 2D, so a 2D connected component merges them, but a depth
    step separates them."""
    for scene in scenes:
        if scene.kind != 'same_appearance_overlap':
            continue
        assert len(scene.masks) >= 2
        assert len({obj.appearance for obj in scene.objects}) == 1
        union = np.any(scene.masks, axis=0)
        assert ndimage.label(union)[1] == 1  # one 2D component
        for a, b in zip(scene.masks, scene.masks[1:]):
            assert _touching(a, b)
            assert abs(np.median(scene.depth[a]) - np.median(scene.depth[b])) >= MIN_DEPTH_GAP


def test_separated_scenes_hold_distinct_objects_apart(scenes):
    for scene in scenes:
        if scene.kind != 'distinct_separated':
            continue
        assert len({obj.appearance for obj in scene.objects}) == len(scene.objects) >= 2
        for i, a in enumerate(scene.masks):
            for b in scene.masks[i + 1:]:
                assert not _touching(ndimage.binary_dilation(a, iterations=3), b)
        colors = [scene.image[m].mean(0) for m in scene.masks]
        assert min(np.abs(a - b).max() for i, a in enumerate(colors) for b in colors[i + 1:]) > 15


def test_coco_annotations_match_the_scenes(tmp_path):
    path = write_synthetic_dataset(tmp_path, num=3, seed=2, size=96)
    coco = json.loads(path.read_text())
    assert coco['categories'] == [{'id': 1, 'name': 'object'}]
    assert [img['file_name'] for img in coco['images']] == [f'scene_{i:04d}.png' for i in range(3)]
    assert all(img['width'] == img['height'] == 96 for img in coco['images'])
    assert len({ann['id'] for ann in coco['annotations']}) == len(coco['annotations'])
    for index, image in enumerate(coco['images']):
        scene = generate_scene(index, seed=2, size=96)
        anns = [a for a in coco['annotations'] if a['image_id'] == image['id']]
        assert len(anns) == len(scene.masks)
        for ann, mask in zip(anns, scene.masks):
            rle = dict(ann['segmentation'], counts=ann['segmentation']['counts'].encode())
            np.testing.assert_array_equal(mask_utils.decode(rle).astype(bool), mask)
            assert ann['area'] == int(mask.sum()) and ann['iscrowd'] == 0 and ann['category_id'] == 1
            np.testing.assert_allclose(ann['bbox'], mask_utils.toBbox(rle))
        depth = np.load(tmp_path / 'depth' / f'scene_{index:04d}.npy')
        np.testing.assert_array_equal(depth, scene.depth)


@pytest.mark.parametrize('kwargs, message', [
    (dict(size=32), 'at least 64'),
    (dict(kinds=('no_such_kind',)), 'unknown scene kind'),
    (dict(kinds=()), 'at least one'),
])
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        generate_scene(0, **kwargs)


def test_writing_zero_scenes_is_refused(tmp_path):
    with pytest.raises(ValueError, match='num must be >= 1'):
        write_synthetic_dataset(tmp_path, num=0)
