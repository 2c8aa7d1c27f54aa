"""cuts3d/u2seg/mask_embedding.py: coverage, mask pooling, embedding a pseudo-mask file."""
import json

import numpy as np
import pytest
from colour_scenes import rectangle

from cuts3d.features import PatchColorFeatures
from cuts3d.structures import PatchFeatures
from cuts3d.u2seg import MaskEmbeddingError, embed_pseudo_masks, mask_pooled_embedding, patch_coverage


def test_patch_coverage_is_the_covered_fraction_of_each_patch():
    mask = rectangle((16, 16), 0, 0, 8, 4)  # half of the top-left 8 x 8 patch
    assert np.allclose(patch_coverage(mask, (2, 2)), [[0.5, 0.0], [0.0, 0.0]])


def test_pooling_weights_normalised_patches_by_coverage():
    feats = np.zeros((2, 2, 2), np.float32)
    feats[:, 0, 0] = (10.0, 0.0)  # large norm: normalising first makes it count by area only
    feats[:, 0, 1] = (0.0, 1.0)
    features = PatchFeatures(feats=feats, patch_size=8, input_size=(16, 16))
    mask = rectangle((16, 16), 0, 0, 8, 16)  # both top patches, fully
    assert np.allclose(mask_pooled_embedding(features, mask), np.array([1.0, 1.0]) / np.sqrt(2))
    with pytest.raises(MaskEmbeddingError, match='empty mask'):
        mask_pooled_embedding(features, np.zeros((16, 16), bool))


def test_same_coloured_masks_embed_alike(scene_files):
    root, data = scene_files
    extractor = PatchColorFeatures(patch_size=8, input_size=(64, 96))
    embeddings = embed_pseudo_masks(data, root / 'images', extractor, progress=False)
    assert embeddings.shape == (6, 125) and np.allclose(np.linalg.norm(embeddings, axis=1), 1.0, atol=1e-5)
    red = [0, 3, 4]  # annotation order: red, blue, blue, red, red, blue
    blue = [1, 2, 5]
    similarity = embeddings @ embeddings.T
    assert similarity[np.ix_(red, red)].min() > similarity[np.ix_(red, blue)].max() + 0.3
    assert similarity[np.ix_(blue, blue)].min() > similarity[np.ix_(red, blue)].max() + 0.3


def test_bad_files_raise_a_specific_error(scene_files, tmp_path):
    root, data = scene_files
    extractor = PatchColorFeatures(patch_size=8, input_size=(64, 96))
    wrong_size = json.loads(json.dumps(data))
    wrong_size['images'][0]['width'] = 100
    with pytest.raises(MaskEmbeddingError, match='the json says 100 x 64'):
        embed_pseudo_masks(wrong_size, root / 'images', extractor, progress=False)
    with pytest.raises(MaskEmbeddingError, match='no such file'):
        embed_pseudo_masks(data, tmp_path / 'nowhere', extractor, progress=False)
    orphan = dict(data, annotations=data['annotations'] + [dict(data['annotations'][0], id=99, image_id=42)])
    with pytest.raises(MaskEmbeddingError, match='not in "images"'):
        embed_pseudo_masks(orphan, root / 'images', extractor, progress=False)
    with pytest.raises(MaskEmbeddingError, match='no annotations'):
        embed_pseudo_masks(dict(data, annotations=[]), root / 'images', extractor, progress=False)
