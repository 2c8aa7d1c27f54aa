"""MultiKSpectralGenerator (Engstler et al.): spectral clustering, saliency, splitting, filter, NMS, configs."""
import json

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope

from cuts3d.utils.synthetic_images import write_synthetic_dataset
from cuts3d.engstler.multi_k_spectral import (MultiKSpectralGenerator, border_foreground, kmeans_labels, mask_nms,
                                              saliency_on_grid, saliency_overlap, spectral_affinity,
                                              spectral_clusters, spectral_embedding, split_components)
from cuts3d.registry import DATASETS, MODELS, PSEUDO_MASK_GENERATORS, build_component
from cuts3d.structures import PatchFeatures

MAE_CONFIG = 'configs/engstler/mae_multik_solov2_coco.py'
TINY_CONFIG = 'configs/engstler/multik_tiny.py'
RED, BLUE = (210, 40, 40), (40, 60, 200)


def red_objects_on_blue(size=64):
    """Noisy blue background and three separated red objects (the same appearance), patch-aligned at 8 px."""
    rng = np.random.default_rng(0)
    image = np.clip(rng.normal(BLUE, 6, size=(size, size, 3)), 0, 255).astype(np.uint8)
    boxes = [(8, 24, 8, 24), (8, 24, 40, 56), (40, 56, 16, 48)]
    masks = []
    for r0, r1, c0, c1 in boxes:
        image[r0:r1, c0:c1] = RED
        mask = np.zeros((size, size), dtype=bool)
        mask[r0:r1, c0:c1] = True
        masks.append(mask)
    return image, masks


def iou(a, b):
    return (a & b).sum() / (a | b).sum()


class FixedFeatures:
    """An extractor returning the given ``C x h x w`` features for any image."""

    def __init__(self, feats, patch_size=8):
        self.feats, self.patch_size = np.asarray(feats, np.float32), patch_size

    def __call__(self, image):
        h, w = self.feats.shape[1:]
        return PatchFeatures(self.feats, self.patch_size, (h * self.patch_size, w * self.patch_size))


def test_spectral_embedding_and_clusters_separate_disconnected_blocks():
    feats = np.zeros((12, 2))
    feats[:5, 0] = 1.0
    feats[5:, 1] = 1.0
    affinity = spectral_affinity(feats)
    embedding = spectral_embedding(affinity, 3)
    assert embedding.shape == (12, 3)
    # two complete blocks: eigenvalues 1, 1, then 0 (a structureless eigenspace, zeroed)
    np.testing.assert_allclose(embedding.T @ embedding, np.diag([1.0, 1.0, 0.0]), atol=1e-8)
    labels = spectral_clusters(embedding, 2)
    assert len(set(labels[:5])) == 1 and len(set(labels[5:])) == 1 and labels[0] != labels[5]
    with pytest.raises(ValueError, match='eigenvectors'):
        spectral_embedding(affinity, 13)


def test_affinity_is_non_negative_cosine():
    feats = np.array([[1.0, 0.0], [-1.0, 0.0], [1.0, 1.0]])
    np.testing.assert_allclose(spectral_affinity(feats), [[1, 0, 0.7071068], [0, 1, 0], [0.7071068, 0, 1]],
                               atol=1e-6)


def test_kmeans_is_seeded_and_survives_too_few_distinct_points():
    points = np.random.default_rng(1).normal(size=(40, 2)) + np.repeat([[0, 0], [6, 6]], 20, axis=0)
    first, second = kmeans_labels(points, 2, seed=3), kmeans_labels(points, 2, seed=3)
    np.testing.assert_array_equal(first, second)
    assert len(set(first[:20])) == 1 and first[0] != first[20]
    np.testing.assert_array_equal(kmeans_labels(np.ones((5, 2)), 3), np.zeros(5))


def test_border_foreground_picks_the_cluster_on_fewer_border_patches():
    labels = np.zeros((6, 6), dtype=int)
    labels[2:4, 2:5] = 1
    np.testing.assert_array_equal(border_foreground(labels), labels == 1)
    labels[0, 0] = 1  # the object cluster touches the border once; the background on 19 cells still loses
    np.testing.assert_array_equal(border_foreground(labels), labels == 1)
    halves = np.zeros((4, 4), dtype=int)
    halves[:, 2:] = 1
    halves[0, 2] = 0  # same border count (6 each) -> the smaller cluster (label 1, 7 cells) wins
    np.testing.assert_array_equal(border_foreground(halves), halves == 1)
    assert not border_foreground(np.zeros((4, 4), dtype=int)).any()


def test_split_components_largest_first_min_size_and_connectivity():
    mask = np.zeros((6, 6), dtype=bool)
    mask[0:2, 0:2] = True  # 4 cells
    mask[3:6, 3:6] = True  # 9 cells
    mask[2, 2] = True  # touches both diagonally only
    parts = split_components(mask)
    assert [int(p.sum()) for p in parts] == [9, 4, 1]
    assert [int(p.sum()) for p in split_components(mask, min_patches=2)] == [9, 4]
    assert [int(p.sum()) for p in split_components(mask, connectivity=8)] == [14]
    with pytest.raises(ValueError, match='connectivity'):
        split_components(mask, connectivity=6)


def test_saliency_overlap_filter_keeps_half_inside_and_drops_less():
    saliency = np.zeros((4, 4))
    saliency[:, :2] = 1.0
    half = np.zeros((4, 4), dtype=bool)
    half[0, :] = True  # 2 of 4 cells inside
    less = np.zeros((4, 4), dtype=bool)
    less[1, 1:] = True  # 1 of 3 cells inside
    assert saliency_overlap(half, saliency) == 0.5 and saliency_overlap(less, saliency) == pytest.approx(1 / 3)
    assert saliency_overlap(np.zeros((4, 4), bool), saliency) == 0.0
    generator = MultiKSpectralGenerator(FixedFeatures(np.ones((2, 4, 4))))
    kept = generator.select([dict(mask=half, k=2), dict(mask=less, k=3)], saliency)
    assert [c['k'] for c in kept] == [2] and kept[0]['saliency_overlap'] == 0.5


def test_saliency_on_grid_is_area_fraction():
    saliency = np.zeros((4, 4), dtype=bool)
    saliency[:2, :1] = True
    np.testing.assert_allclose(saliency_on_grid(saliency, (2, 2)), [[0.5, 0], [0, 0]])
    np.testing.assert_array_equal(saliency_on_grid(saliency, (4, 4)), saliency.astype(float))


def test_mask_nms_suppresses_above_iou_threshold_only():
    base = np.zeros((10, 10), dtype=bool)
    base[:, :10] = True  # 100 cells
    near = base.copy()
    near[:, 9] = False  # IoU 0.9 with base
    at = base.copy()
    at[:, 8:] = False  # IoU 0.8 exactly: not above the threshold, kept
    other = np.zeros((10, 10), dtype=bool)
    other[0, 0] = True
    assert mask_nms([base, near, at, other], [1.0, 0.9, 0.8, 0.7], 0.8) == [0, 2, 3]
    assert mask_nms([near, base, at, other], [1.0, 0.9, 0.8, 0.7], 0.8) == [0, 3]  # at: IoU 0.89 with near
    assert mask_nms([near, base], [0.9, 0.9], 0.8) == [1]  # tie -> the larger mask
    assert mask_nms([], [], 0.8) == []


def test_generator_finds_planted_objects_with_colour_features():
    image, masks = red_objects_on_blue()
    generator = build_component(dict(type='MultiKSpectralGenerator', feature_extractor=dict(
        type='PatchColorFeatures', patch_size=8, input_size=(64, 64))), PSEUDO_MASK_GENERATORS)
    instances = generator(image)
    for mask in masks:
        assert max(iou(instance.mask, mask) for instance in instances) > 0.95
    for instance in instances:
        assert instance.mask.shape == (64, 64)
        np.testing.assert_array_equal(instance.confidence, instance.mask.astype(np.float32))
        assert 0.5 <= instance.score <= 1.0
        assert set(instance.provenance) == {'k', 'cluster', 'component', 'saliency_overlap', 'patch_area'}
    assert [i.score for i in instances] == sorted((i.score for i in instances), reverse=True)
    assert set(generator.timings) == {'features', 'saliency', 'cluster', 'select', 'refine'}


def test_generator_with_a_saliency_extractor_on_another_grid_and_image_size():
    image, masks = red_objects_on_blue()
    wide = np.ascontiguousarray(np.repeat(image, 2, axis=1))  # 64 x 128: masks come back at the image size
    generator = MultiKSpectralGenerator(
        dict(type='PatchColorFeatures', patch_size=8, input_size=(64, 64)),
        dict(type='PatchColorFeatures', patch_size=4, input_size=(64, 64)))
    instances = generator(wide)
    assert instances and all(i.mask.shape == (64, 128) for i in instances)
    for mask in masks:
        assert max(iou(i.mask, np.repeat(mask, 2, axis=1)) for i in instances) > 0.9


def test_without_splitting_the_same_coloured_objects_stay_one_mask():
    image, masks = red_objects_on_blue()
    generator = MultiKSpectralGenerator(dict(type='PatchColorFeatures', patch_size=8, input_size=(64, 64)),
                                        split=False)
    union = masks[0] | masks[1] | masks[2]
    assert max(iou(i.mask, union) for i in generator(image)) > 0.95


def test_blank_image_gives_no_masks():
    generator = MultiKSpectralGenerator(FixedFeatures(np.ones((3, 6, 6))))
    assert generator(np.zeros((48, 48, 3), np.uint8)) == []


def test_bad_arguments_and_features_are_refused():
    extractor = FixedFeatures(np.ones((2, 2, 2)))
    for kwargs, match in [(dict(ks=(1, 2)), 'ks'), (dict(ks=()), 'ks'), (dict(saliency_k=1), 'saliency_k'),
                          (dict(min_saliency_overlap=1.5), 'min_saliency_overlap'), (dict(nms_iou=-0.1), 'nms_iou'),
                          (dict(connectivity=6), 'connectivity'), (dict(min_patches=0), 'min_patches')]:
        with pytest.raises(ValueError, match=match):
            MultiKSpectralGenerator(extractor, **kwargs)
    with pytest.raises(ValueError, match='cannot be split into 5 clusters'):
        MultiKSpectralGenerator(extractor)(np.zeros((16, 16, 3), np.uint8))
    nan = np.ones((2, 4, 4))
    nan[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match='NaN'):
        MultiKSpectralGenerator(FixedFeatures(nan))(np.zeros((32, 32, 3), np.uint8))


def test_paper_config_loads_and_builds():
    cfg = Config.fromfile(MAE_CONFIG)
    gen = cfg.pseudo_mask_generator
    assert gen.type == 'MultiKSpectralGenerator' and tuple(gen.ks) == (2, 3, 4, 5)
    assert (gen.min_saliency_overlap, gen.nms_iou) == (0.5, 0.8)
    assert gen.feature_extractor.type == 'MAEFeatures' and gen.saliency_extractor.patch_size == 16
    assert cfg.model.type == 'SOLOv2' and cfg.model.mask_head.num_classes == 1
    assert cfg.model.backbone.depth == 101 and cfg.model.backbone.frozen_stages == 4
    assert cfg.train_dataloader.dataset.dataset.type == 'PseudoMaskDataset'
    assert cfg.optim_wrapper.optimizer.lr == 0.00025 and cfg.train_cfg.max_iters == 60000
    gen.feature_extractor.checkpoint = gen.saliency_extractor.checkpoint = None
    gen.feature_extractor.pretrained = gen.saliency_extractor.pretrained = False  # random weights: nothing to fetch
    gen.feature_extractor.input_size = gen.saliency_extractor.input_size = (64, 64)
    generator = build_component(gen.to_dict(), PSEUDO_MASK_GENERATORS)
    assert type(generator.feature_extractor).__name__ == 'MAEFeatures'
    assert type(generator.saliency_extractor).__name__ == 'DINOFeatures'


def tiny_pseudo_masks(root):
    """Two synthetic scenes whose ground truth, recategorised as ``fg``, serves as pseudo-masks."""
    gt_path = write_synthetic_dataset(root, 2, seed=1, size=128)
    coco = json.loads(gt_path.read_text())
    for ann in coco['annotations']:
        ann['category_id'] = 1
    coco['categories'] = [{'id': 1, 'name': 'fg'}]
    (root / 'pseudo_masks.json').write_text(json.dumps(coco))


def test_tiny_config_extracts_and_its_solov2_learns_from_pseudo_masks(tmp_path):
    cfg = Config.fromfile(TINY_CONFIG)
    generator = build_component(cfg.pseudo_mask_generator.to_dict(), PSEUDO_MASK_GENERATORS)
    image, masks = red_objects_on_blue()
    assert all(max(iou(i.mask, m) for i in generator(image)) > 0.9 for m in masks)

    tiny_pseudo_masks(tmp_path)
    cfg.train_dataloader.dataset.dataset.data_root = f'{tmp_path}/'
    init_default_scope('cuts3d')
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    model = MODELS.build(cfg.model)
    assert model.mask_head.num_classes == 1
    data = model.data_preprocessor(pseudo_collate([dataset[0], dataset[1]]), training=True)
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_mask', 'loss_cls'}
    assert all(np.isfinite(float(value.detach())) and float(value.detach()) > 0 for value in losses.values())
