"""KMeansStuff: stuff classes fitted away from things, consistent across images."""
import numpy as np
import pytest

from cuts3d.registry import STUFF_SOURCES, build_component
from cuts3d.u2seg import ClusteringError, KMeansStuff

GREEN, SKY, RED = (40, 160, 40), (120, 170, 240), (230, 30, 30)
FEATURES = dict(type='PatchColorFeatures', patch_size=8, input_size=(32, 32))


def scene(split, box):
    """Sky above row ``split``, grass below, a red thing in ``box``; returns the image and the thing mask."""
    image = np.empty((32, 32, 3), np.uint8)
    image[:split] = SKY
    image[split:] = GREEN
    thing = np.zeros((32, 32), bool)
    thing[box[0]:box[2], box[1]:box[3]] = True
    image[thing] = RED
    return image, thing


def test_fit_then_label_consistently_across_images(tmp_path):
    source = build_component(dict(type='KMeansStuff', feature_extractor=FEATURES, num_classes=2), STUFF_SOURCES)
    scenes = [scene(16, (16, 0, 32, 16)), scene(8, (0, 16, 16, 32))]
    centroids = source.fit(scenes)
    assert centroids.shape == (2, 125)
    first, second = (source(image, {}) for image, _ in scenes)
    assert first.shape == (32, 32) and set(np.unique(first)) == {1, 2}
    sky, grass = first[0, 0], first[31, 31]
    assert sky != grass and second[0, 0] == sky and second[31, 0] == grass  # same meaning in both images
    np.save(tmp_path / 'c.npy', centroids)
    reloaded = KMeansStuff(FEATURES, num_classes=2, centroids=str(tmp_path / 'c.npy'))
    assert np.array_equal(reloaded(scenes[1][0], {}), second)


def test_errors():
    with pytest.raises(RuntimeError, match='no centroids'):
        KMeansStuff(FEATURES, num_classes=2)(scene(16, (0, 0, 8, 8))[0], {})
    with pytest.raises(ClusteringError, match='cannot form 5 clusters'):  # 4 grid patches, one image
        KMeansStuff(dict(FEATURES, patch_size=16), num_classes=5).fit([(scene(16, (0, 0, 1, 1))[0], None)])
    with pytest.raises(ValueError, match='num_classes'):
        KMeansStuff(FEATURES, num_classes=0)
    with pytest.raises(ValueError, match='thing_coverage'):
        KMeansStuff(FEATURES, thing_coverage=0)


def test_saved_centroids_of_another_count_are_refused(tmp_path):
    np.save(tmp_path / 'c.npy', np.zeros((3, 125), np.float32))
    with pytest.raises(ValueError, match='num_classes x D = 2 x D'):
        KMeansStuff(FEATURES, num_classes=2, centroids=str(tmp_path / 'c.npy'))
