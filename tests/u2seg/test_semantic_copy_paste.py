"""SemanticAwareCopyPaste (U2Seg eq. 4): only same-cluster pairs, the geometry of T, occlusion, fallbacks, and a run
inside mmdet's MultiImageMixDataset on a clustered pseudo-mask file."""
import copy

import numpy as np
import pytest
from colour_scenes import BLUE, RED
from mmdet.datasets import MultiImageMixDataset
from mmdet.structures.mask import BitmapMasks
from mmengine.registry import init_default_scope

from cuts3d.datasets import PseudoMaskDataset
from cuts3d.structures.spatial_confidence_masks import SpatialConfidenceMasks
from cuts3d.pseudo import write_coco_json
from cuts3d.u2seg import (SemanticAwareCopyPaste, cluster_class_names, clustered_pseudo_masks, images_by_cluster,
                          pair_placement, semantic_aware_paste)

SIZE = 64
PARTNER = (24, 24, 40, 40)  # top, left, bottom, right of the target's cluster-0 instance


def rect(top, left, bottom, right):
    mask = np.zeros((SIZE, SIZE), np.uint8)
    mask[top:bottom, left:right] = 1
    return mask


class ToyDataset:
    """What MultiImageMixDataset's inner dataset offers: len, get_data_info, and loaded results per index."""

    def __init__(self, images):
        self.images = images  # per image: list of (label, mask, colour value)

    def __len__(self):
        return len(self.images)

    def get_data_info(self, index):
        return {'instances': [{'bbox_label': label, 'ignore_flag': 0} for label, _, _ in self.images[index]]}

    def __getitem__(self, index):
        objects = self.images[index]
        img = np.full((SIZE, SIZE, 3), 10 * (index + 1), np.uint8)
        for _, mask, value in objects:
            img[mask > 0] = value
        masks = BitmapMasks(np.array([m for _, m, _ in objects], np.uint8).reshape(-1, SIZE, SIZE), SIZE, SIZE)
        return {'img': img, 'img_shape': (SIZE, SIZE), 'sample_idx': index, 'gt_masks': masks,
                'gt_bboxes': masks.get_bboxes('hbox'),
                'gt_bboxes_labels': np.array([label for label, _, _ in objects], np.int64),
                'gt_ignore_flags': np.zeros(len(objects), bool)}


def toy_dataset():
    return ToyDataset([
        [(0, rect(*PARTNER), 200), (1, rect(0, 0, 6, 6), 120)],  # target: cluster 1 occurs nowhere else
        [(2, rect(2, 2, 20, 20), 60), (0, rect(30, 40, 50, 50), 250)],  # the only other image with cluster 0
        [(2, rect(10, 10, 30, 30), 70)],
        [(3, rect(40, 40, 60, 60), 80)],
    ])


def run(transform, dataset, index=0, seed=0):
    np.random.seed(seed)
    transform.get_indexes(dataset)
    return transform(dataset[index])


def fixed_transform(transform, scale, shift):
    transform._draw_transform = lambda: (scale, shift)
    return transform


def test_eq4_composes_source_inside_the_moved_mask_and_target_elsewhere():
    target, source = np.full((4, 4, 3), 1, np.uint8), np.full((4, 4, 3), 9, np.uint8)
    mask = np.zeros((4, 4), bool)
    mask[1:3, 2:] = True
    out = semantic_aware_paste(target, source, mask)
    assert np.array_equal(out[..., 0], np.where(mask, 9, 1))
    with pytest.raises(ValueError, match='of one size'):
        semantic_aware_paste(target, source, mask[:3])


def test_placement_keeps_aspect_scales_to_partner_and_shifts_by_partner_size():
    # source 20 x 10 (area 200), partner 10 x 20 (area 200): scale 0.5 halves each side.
    assert pair_placement((0, 0, 20, 10), (30, 40, 40, 60), 0.5, (0.0, 0.0)) == (10, 5, 30, 48)
    # shifted by one partner height down and half a partner width left: centre (35 + 10, 50 - 10).
    assert pair_placement((0, 0, 20, 10), (30, 40, 40, 60), 0.5, (1.0, -0.5)) == (10, 5, 40, 38)
    # a source twice the partner's size in area, scale 1: sides shrink by sqrt(2).
    assert pair_placement((0, 0, 20, 20), (0, 0, 10, 20), 1.0, (0.0, 0.0))[:2] == (14, 14)


def test_cluster_index_and_no_wrapper_loading():
    dataset = toy_dataset()
    transform = SemanticAwareCopyPaste()
    assert transform.get_indexes(dataset) == []
    assert {k: v.tolist() for k, v in images_by_cluster(dataset).items()} == {0: [0, 1], 1: [0], 2: [1, 2], 3: [3]}
    with pytest.raises(RuntimeError, match='MultiImageMixDataset'):
        SemanticAwareCopyPaste()(dataset[0])


@pytest.mark.parametrize('seed', range(8))
def test_pastes_only_an_instance_of_the_partners_cluster(seed):
    dataset = toy_dataset()
    transform = SemanticAwareCopyPaste(fallback='none', shift_range=(1.0, 1.0), relative_scale_range=(0.6, 1.0))
    out = run(transform, dataset, seed=seed)
    # Cluster 1 has no partner anywhere, so the pair is always (cluster-0 target, cluster-0 instance of image 1).
    assert out['gt_bboxes_labels'].tolist() == [0, 1, 0]
    pasted = out['gt_masks'].masks[2] > 0
    assert pasted.any() and (out['img'][pasted] == 250).all()  # the pixels of image 1's cluster-0 instance
    assert not (out['img'][~pasted] == 250).any()
    assert np.array_equal(out['gt_masks'].masks[1], rect(0, 0, 6, 6))


def test_geometry_occlusion_and_boxes_of_one_paste():
    dataset = toy_dataset()
    # Source instance rows 30-50, cols 40-50 (20 x 10); partner 16 x 16 -> factor 0.8 * sqrt(256 / 200).
    transform = fixed_transform(SemanticAwareCopyPaste(fallback='none'), 0.8, (0.25, -0.5))
    out = run(transform, dataset)
    height, width, top, left = pair_placement((30, 40, 50, 50), PARTNER, 0.8, (0.25, -0.5))
    assert (height, width, top, left) == (18, 9, 27, 20)
    expected = rect(top, left, top + height, left + width)
    assert np.array_equal(out['gt_masks'].masks[-1], expected)
    assert np.array_equal(out['img'][..., 0], np.where(expected, 250, dataset[0]['img'][..., 0]))  # eq. 4
    partner = rect(*PARTNER) * (1 - expected)  # occluded part cut out of the partner
    assert np.array_equal(out['gt_masks'].masks[0], partner)
    assert out['gt_bboxes'].numpy().tolist()[0] == [24, 24, 40, 40]  # the partner's box from its remaining mask
    assert out['gt_bboxes'].numpy().tolist()[-1] == [left, top, left + width, top + height]


def test_paste_past_the_border_is_clipped():
    dataset = toy_dataset()
    out = run(fixed_transform(SemanticAwareCopyPaste(fallback='none'), 2.0, (-1.5, 0.0)), dataset)
    height, width, top, left = pair_placement((30, 40, 50, 50), PARTNER, 2.0, (-1.5, 0.0))
    assert top < 0
    assert np.array_equal(out['gt_masks'].masks[-1], rect(0, left, top + height, left + width))


def test_a_paste_covering_its_partner_is_dropped_and_fallbacks_apply():
    dataset = toy_dataset()
    unchanged = run(fixed_transform(SemanticAwareCopyPaste(fallback='none'), 1.5, (0.0, 0.0)), dataset)
    assert np.array_equal(unchanged['img'], dataset[0]['img']) and len(unchanged['gt_masks']) == 2
    # With CutLER's fallback a random image is pasted whole-source style: labels come from that image.
    pasted_labels = set()
    for seed in range(6):
        transform = fixed_transform(SemanticAwareCopyPaste(fallback='cutler', max_cover=1.0), 1.5, (0.0, 0.0))
        out = run(transform, dataset, seed=seed)
        pasted_labels |= set(out['gt_bboxes_labels'][1:].tolist())
    assert pasted_labels and pasted_labels <= {0, 1, 2, 3}
    assert 2 in pasted_labels or 3 in pasted_labels  # labels no same-cluster pair could give


def test_no_partner_leaves_the_image_with_fallback_none():
    dataset = toy_dataset()
    out = run(SemanticAwareCopyPaste(fallback='none'), dataset, index=3)  # cluster 3 occurs only in image 3
    assert np.array_equal(out['img'], dataset[3]['img']) and out['gt_bboxes_labels'].tolist() == [3]


class ConfidenceDataset(ToyDataset):
    """The toy images with Spatial Confidence masks: SC 2/2 inside each mask, score 0.1 x (index + 1)."""

    def __getitem__(self, index):
        results = super().__getitem__(index)
        masks = results['gt_masks'].masks
        results['gt_masks'] = SpatialConfidenceMasks(masks, SIZE, SIZE, masks * 2, [2] * len(masks),
                                                     [0.1 * (index + 1)] * len(masks))
        return results


def test_spatial_confidence_travels_with_the_pasted_instance():
    dataset = ConfidenceDataset(toy_dataset().images)
    out = run(fixed_transform(SemanticAwareCopyPaste(fallback='none'), 0.8, (0.25, -0.5)), dataset)
    masks = out['gt_masks']
    assert isinstance(masks, SpatialConfidenceMasks)
    assert np.allclose(masks.scores, [0.1, 0.1, 0.2])  # the pasted instance keeps image 1's score
    assert np.array_equal(masks.sc_levels[-1], 2 * masks.masks[-1])


def test_bad_arguments():
    with pytest.raises(ValueError, match='relative_scale_range'):
        SemanticAwareCopyPaste(relative_scale_range=(0.0, 1.0))
    with pytest.raises(ValueError, match='shift_range'):
        SemanticAwareCopyPaste(shift_range=(0.5, 0.2))
    with pytest.raises(ValueError, match='fallback'):
        SemanticAwareCopyPaste(fallback='random')
    assert "fallback='cutler'" in repr(SemanticAwareCopyPaste())


def test_runs_in_mmdet_multi_image_mix_dataset_on_a_clustered_file(scene_files):
    root, data = scene_files
    colours = [RED, BLUE, BLUE, RED, RED, BLUE]  # annotation order of the scene_files fixture
    labels = np.array([0 if c == RED else 1 for c in colours])
    clustered = clustered_pseudo_masks(data, labels, 2, {})
    write_coco_json(root / 'clustered.json', clustered['info'], clustered['images'], clustered['annotations'],
                    categories=clustered['categories'])
    init_default_scope('cuts3d')
    inner = PseudoMaskDataset(
        ann_file=str(root / 'clustered.json'), data_prefix=dict(img=str(root / 'images')),
        metainfo=dict(classes=cluster_class_names(2), palette='random'),
        pipeline=[dict(type='LoadImageFromFile'), dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
                  dict(type='LoadSpatialConfidence')])
    dataset = MultiImageMixDataset(inner, pipeline=[
        dict(type='SemanticAwareCopyPaste', fallback='none', shift_range=(0.9, 1.0), max_cover=1.0),
        dict(type='PackPseudoMaskInputs')])
    np.random.seed(0)
    packed = [copy.deepcopy(dataset[i]) for i in range(3)]
    for sample in packed:
        instances = sample['data_samples'].gt_instances
        assert sample['inputs'].shape == (3, 64, 96)
        assert len(instances) == 3 and instances.masks.masks.shape == (3, 64, 96)
        label = int(instances.labels[-1])
        pasted = instances.masks.masks[-1] > 0
        bgr = (sample['inputs'].permute(1, 2, 0).numpy())[pasted]
        assert (bgr[:, ::-1] == np.array(colours[labels.tolist().index(label)])).all()  # the pasted cluster's colour
