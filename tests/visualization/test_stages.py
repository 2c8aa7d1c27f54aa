"""stage_pictures: every stage of a recorded run becomes a picture, for CutS3D and for CutLER (no depth)."""
import numpy as np
import pytest
from colour_maskcut import SIZE, colour_maskcut_generator

from cuts3d.utils.synthetic_images import generate_scene
from cuts3d.visualization import Detections, StageRecorder, display_size, stage_pictures


@pytest.fixture(scope='module')
def scene():
    return generate_scene(3, seed=0, size=SIZE)


def _check_all(pictures, size):
    for caption, picture in pictures.items():
        assert picture.dtype == np.uint8 and picture.ndim == 3 and picture.shape[2] == 3, caption
        assert picture.shape[0] == size[0], caption
        assert picture.std() > 3, f'{caption} is blank'


def test_cuts3d_stages(scene):
    record = StageRecorder(colour_maskcut_generator(scene.depth)).run(scene.image, {})
    boxes = np.array([[10, 10, 50, 50]], float)
    pictures = stage_pictures(scene.image, record, 'LocalCut', ground_truth=scene.masks,
                              detections=Detections(boxes, np.array([0.9]), np.array(scene.masks[:1])),
                              max_side=64)
    for caption in ('image', 'depth', 'depth (patch grid)', 'spatial importance', 'cut 0: eigenvector',
                    'cut 0: bipartition', 'cut 0: LocalCut', 'cut 0: point cloud', 'cut 0: spatial confidence',
                    'pseudo-masks', 'ground truth', 'predictions'):
        assert caption in pictures
    _check_all(pictures, (64, 64))


def test_cutler_stages_have_no_depth_pictures(scene):
    record = StageRecorder(colour_maskcut_generator()).run(scene.image, {})
    pictures = stage_pictures(scene.image, record, 'ConnectedComponent2D')
    assert 'cut 0: ConnectedComponent2D' in pictures and 'pseudo-masks' in pictures
    assert not any('depth' in c or 'point cloud' in c or 'importance' in c for c in pictures)
    _check_all(pictures, (SIZE, SIZE))


def test_display_size_never_upscales():
    assert display_size((100, 50, 3), 384) == (100, 50)
    assert display_size((800, 400, 3), 400) == (400, 200)
