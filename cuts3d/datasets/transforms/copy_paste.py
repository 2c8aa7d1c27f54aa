"""CutLER's copy-paste augmentation as an mmdet transform that runs in the dataloader workers."""
from __future__ import annotations

import mmcv
import numpy as np
from mmcv.transforms.utils import cache_randomness
from mmdet.datasets.transforms import CopyPaste
from mmdet.structures.mask import BitmapMasks

from cuts3d.registry import TRANSFORMS

from ...structures.spatial_confidence_masks import SpatialConfidenceMasks


@TRANSFORMS.register_module()
class CutLERCopyPaste(CopyPaste):
    """Paste objects of another image, shrunk and shifted at random, with CutLER's selection and occlusion rules.

    Use it inside mmdet's ``MultiImageMixDataset`` (which fetches the source image through ``get_indexes`` and
    hands it over as ``results['mix_results']``), so it runs in the dataloader workers. The inner dataset's
    pipeline loads and augments both images (``LoadAnnotations``, ``LoadSpatialConfidence``, resize, flip); this
    transform and the packing go into the wrapper's pipeline.

    Steps (CutLER, ``cutler/engine/train_loop.py``, ``copy_and_paste``):

    1. pick ``k`` source objects: ``k = 1`` for one object, else uniform in ``1..n-1`` (all with
       ``selected=False``), at most ``max_num_pasted``; which ones: at random (``_choose``);
    2. resize the *whole* source image and its masks to ``(int(r * H), int(r * W))`` of the target, ``r`` uniform in
       ``scale_range``, and put it at a uniform random offset inside the target;
    3. drop a pasted object if it covers ``>= max_cover`` of the area of any target mask;
    4. paste the kept objects (:meth:`paste_instances`): their pixels (``_compose``), cut them out of the target
       masks (and their SC maps), remove target instances left empty, append the pasted ones (with their SC maps
       and scores) and recompute every box from its mask.

    Where CutLER's reference differs: it runs on the training thread on the collated batch (the source of image
    ``i`` is image ``B-1-i`` of the same batch, so with batch 1 an image pastes into itself), which is what made it
    slow; it resizes masks bilinearly and binarises with ``> 0`` (dilating them by up to a pixel) where this uses
    nearest neighbour (masks and SC maps stay pixel-aligned), so here an object that vanishes when shrunk is dropped;
    it shifts the pasted boxes with x and y offsets swapped, which only matters when the target has no instance (all
    boxes are recomputed otherwise; here always); an empty target mask divides by zero there and drops every pasted
    object, here it covers nothing. Like CutLER, the source is stretched to the target's aspect ratio.

    Where mmdet's ``CopyPaste`` differs: it pastes the source unscaled and unshifted (it assumes same-size images
    from a large-scale-jitter pipeline); it pastes ``0..n`` objects, so often none; it has no cover rule and instead
    drops target objects whose box moved more than ``bbox_occluded_thr`` px and whose mask kept at most
    ``mask_occluded_thr`` px (unused here); it keeps the source boxes of pasted objects; its ``get_indexes`` draws
    ``random.randint(0, len(dataset))``, which can return ``len(dataset)`` (an IndexError), fixed here.

    Args:
        scale_range: ``(low, high)`` of the uniform source scale ``r``, ``0 < low <= high <= 1``; CutLER uses
            (0.3, 1.0) for the first round and (0.5, 1.0) for self-training.
        max_cover: a pasted object that covers at least this fraction of a target mask is dropped.
        prob: probability of pasting at all (CutLER's ``COPY_PASTE_RATE``, 1.0 in its configs).
        selected: False pastes every source object (CutLER's ``COPY_PASTE_RANDOM_NUM=False``).
        max_num_pasted: cap on the number of pasted objects (CutLER has none; mmdet's default 100).
        paste_by_box: mmdet's option to paste boxes as masks when the results have no masks.
    """

    def __init__(self, scale_range: tuple[float, float] = (0.3, 1.0), max_cover: float = 0.5, prob: float = 1.0,
                 selected: bool = True, max_num_pasted: int = 100, paste_by_box: bool = False) -> None:
        super().__init__(max_num_pasted=max_num_pasted, selected=selected, paste_by_box=paste_by_box)
        low, high = scale_range
        if not 0 < low <= high <= 1:
            raise ValueError(f'scale_range must satisfy 0 < low <= high <= 1; got {scale_range}')
        if not 0 < max_cover <= 1:
            raise ValueError(f'max_cover must lie in (0, 1]; got {max_cover}')
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must lie in [0, 1]; got {prob}')
        if max_num_pasted < 1:
            raise ValueError(f'max_num_pasted must be at least 1; got {max_num_pasted}')
        self.scale_range = (float(low), float(high))
        self.max_cover = max_cover
        self.prob = prob

    @cache_randomness
    def get_indexes(self, dataset) -> int:
        """Index of the source image, uniform over the dataset."""
        return int(np.random.randint(len(dataset)))

    @cache_randomness
    def _pastes(self) -> bool:
        return bool(np.random.rand() < self.prob)

    def transform(self, results: dict) -> dict:
        if not self._pastes():
            return results
        return super().transform(results)

    @cache_randomness
    def _paste_count(self, num_objects: int) -> int:
        """CutLER's count: 1 for a single object, else uniform in 1..n-1; capped by ``max_num_pasted``."""
        count = 1 if num_objects <= 1 else int(np.random.randint(1, num_objects))
        return min(count, self.max_num_pasted, num_objects)

    @cache_randomness
    def _choose(self, masks: BitmapMasks) -> np.ndarray:
        """Indices of the source objects to paste: a random ``_paste_count`` of them."""
        return np.random.choice(len(masks), self._paste_count(len(masks)), replace=False)

    def _select_object(self, results: dict) -> dict:
        masks = self.get_gt_masks(results)
        inds = self._choose(masks)
        results['gt_bboxes'] = results['gt_bboxes'][inds]
        results['gt_bboxes_labels'] = results['gt_bboxes_labels'][inds]
        results['gt_ignore_flags'] = results['gt_ignore_flags'][inds]
        results['gt_masks'] = masks[inds]
        return results

    @cache_randomness
    def _placement(self, height: int, width: int) -> tuple[int, int, int, int]:
        """``(new_h, new_w, top, left)``: the source's size ``r`` times the target's, at a uniform offset."""
        ratio = np.random.uniform(*self.scale_range)
        new_h, new_w = max(1, int(ratio * height)), max(1, int(ratio * width))
        top = int(np.random.randint(0, height - new_h + 1))
        left = int(np.random.randint(0, width - new_w + 1))
        return new_h, new_w, top, left

    def _uncovering(self, pasted: BitmapMasks, targets: BitmapMasks) -> np.ndarray:
        """bool per pasted object: True unless it covers ``>= max_cover`` of some target mask's area."""
        if len(targets) == 0:
            return np.ones(len(pasted), dtype=bool)
        pasted_flat = (pasted.masks > 0).reshape(len(pasted), -1).astype(np.float32)
        target_flat = (targets.masks > 0).reshape(len(targets), -1).astype(np.float32)
        overlap = pasted_flat @ target_flat.T
        area = target_flat.sum(axis=1)
        cover = np.divide(overlap, area, out=np.zeros_like(overlap), where=area > 0)
        return (cover < self.max_cover).all(axis=1)

    def _compose(self, target_img: np.ndarray, source_canvas: np.ndarray, pasted: BitmapMasks) -> np.ndarray:
        """The augmented image: the source's pixels where a pasted object lies, the target's elsewhere."""
        region = (pasted.masks > 0).any(axis=0)
        return np.where(region[..., None], source_canvas, target_img)

    def _copy_paste(self, dst_results: dict, src_results: dict) -> dict:
        src_masks = src_results['gt_masks']
        if len(src_masks) == 0:
            return dst_results
        dst_img = dst_results['img']
        height, width = dst_img.shape[:2]
        dst_masks, src_masks = unify_mask_types(self.get_gt_masks(dst_results), src_masks)

        new_h, new_w, top, left = self._placement(height, width)
        canvas = np.zeros_like(dst_img)
        canvas[top:top + new_h, left:left + new_w] = mmcv.imresize(src_results['img'], (new_w, new_h),
                                                                   interpolation='bilinear')
        pasted = src_masks.resize((new_h, new_w)).expand(height, width, top, left)
        keep = (pasted.areas > 0) & self._uncovering(pasted, dst_masks)
        if not keep.any():
            return dst_results
        return self.paste_instances(dst_results, dst_masks, canvas, pasted[keep],
                                    src_results['gt_bboxes_labels'][keep], src_results['gt_ignore_flags'][keep])

    def paste_instances(self, dst_results: dict, dst_masks: BitmapMasks, canvas: np.ndarray, pasted: BitmapMasks,
                        labels: np.ndarray, ignore_flags: np.ndarray) -> dict:
        """Paste ``pasted`` (masks at the target's size, pixels in ``canvas``) onto ``dst_results``.

        Composes the image (``_compose``), cuts the pasted region out of ``dst_masks`` (the target's masks, of
        the same type as ``pasted``: :func:`unify_mask_types`), removes target instances left empty, appends the
        pasted ones with their ``labels`` and ``ignore_flags``, and recomputes every box from its mask.
        """
        cut = _erase(dst_masks, (pasted.masks > 0).any(axis=0))
        alive = cut.areas > 0
        masks = type(pasted).cat([cut[alive], pasted])
        dst_results['img'] = self._compose(dst_results['img'], canvas, pasted)
        dst_results['gt_masks'] = masks
        dst_results['gt_bboxes'] = masks.get_bboxes(type(dst_results['gt_bboxes']))
        dst_results['gt_bboxes_labels'] = np.concatenate([dst_results['gt_bboxes_labels'][alive], labels])
        dst_results['gt_ignore_flags'] = np.concatenate([dst_results['gt_ignore_flags'][alive], ignore_flags])
        return dst_results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(scale_range={self.scale_range}, max_cover={self.max_cover}, '
                f'prob={self.prob}, selected={self.selected}, max_num_pasted={self.max_num_pasted}, '
                f'paste_by_box={self.paste_by_box})')


def unify_mask_types(first: BitmapMasks, second: BitmapMasks) -> tuple[BitmapMasks, BitmapMasks]:
    """Both as ``SpatialConfidenceMasks`` when either is (plain masks get SC = 1 inside), else unchanged.

    Target and source masks must share a type before they are concatenated by :meth:`CutLERCopyPaste.paste_instances`.
    """
    if isinstance(first, SpatialConfidenceMasks) == isinstance(second, SpatialConfidenceMasks):
        return first, second
    lifted = [m if isinstance(m, SpatialConfidenceMasks) else SpatialConfidenceMasks(m.masks, m.height, m.width)
              for m in (first, second)]
    return lifted[0], lifted[1]


def _erase(masks: BitmapMasks, region: np.ndarray) -> BitmapMasks:
    """``masks`` with ``region`` cut out (their SC maps too)."""
    if isinstance(masks, SpatialConfidenceMasks):
        return masks.erase(region)
    return BitmapMasks(masks.masks * ~region, masks.height, masks.width)
