"""U2Seg's semantic-aware copy-paste: paste an instance next to an instance of the same pseudo class (eq. 4).

U2Seg (sec. 3.2) makes synthetic overlaps of same-class objects, which MaskCut tends to merge into one mask:
1) pick two instances of one cluster, 2) resize and shift one of them (the transformation ``T``), 3) paste it onto
the other's image, ``I_3 = I_1 * (1 - T(M_c)) + I_2 * T(M_c)``. Its release has no code for it (``docs/reference.md``,
"Neighbours"); :class:`SemanticAwareCopyPaste` is this project's reading, on top of :class:`CutLERCopyPaste`.
"""
from __future__ import annotations

from collections import defaultdict

import mmcv
import numpy as np
from mmcv.transforms.utils import cache_randomness
from mmdet.structures.mask import BitmapMasks

from cuts3d.datasets.transforms.copy_paste import CutLERCopyPaste, unify_mask_types
from cuts3d.registry import TRANSFORMS

FALLBACKS = ('cutler', 'none')


def semantic_aware_paste(target: np.ndarray, source: np.ndarray, pasted_mask: np.ndarray) -> np.ndarray:
    """U2Seg eq. (4): ``I_3 = I_1 * (1 - T(M_c)) + I_2 * T(M_c)``.

    Args:
        target: ``I_1``, the image pasted onto, ``H x W x C``.
        source: ``I_2`` already moved by ``T`` onto ``I_1``'s canvas, ``H x W x C``.
        pasted_mask: ``T(M_c)``, bool ``H x W`` (or ``N x H x W``, merged): where the moved instance lies.
    """
    region = np.asarray(pasted_mask, dtype=bool)
    if region.ndim == 3:
        region = region.any(axis=0)
    if source.shape != target.shape or region.shape != target.shape[:2]:
        raise ValueError(f'eq. 4 needs target {target.shape}, source {source.shape} and mask {region.shape} '
                         'of one size')
    return np.where(region[..., None], source, target)


def mask_box(mask: np.ndarray) -> tuple[int, int, int, int]:
    """``(top, left, bottom, right)`` of a non-empty bool mask, bottom/right exclusive."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        raise ValueError('an empty mask has no box')
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1


def pair_placement(source_box: tuple[int, int, int, int], target_box: tuple[int, int, int, int], scale: float,
                   shift: tuple[float, float]) -> tuple[int, int, int, int]:
    """U2Seg's ``T`` for one pair: where the source instance's box goes, as ``(height, width, top, left)``.

    The source box keeps its aspect ratio and is resized so that its area is ``scale**2`` times the target
    instance's box area; its centre goes to the target box centre moved by ``shift = (dy, dx)`` times the target
    box's height and width. ``shift = (0, 0)`` pastes in place of the partner, ``|d| ~ 0.5`` half over it.
    ``top``/``left`` may fall outside the image; the caller clips.
    """
    s_top, s_left, s_bottom, s_right = source_box
    t_top, t_left, t_bottom, t_right = target_box
    s_h, s_w, t_h, t_w = s_bottom - s_top, s_right - s_left, t_bottom - t_top, t_right - t_left
    factor = scale * np.sqrt((t_h * t_w) / (s_h * s_w))
    height, width = max(1, int(round(s_h * factor))), max(1, int(round(s_w * factor)))
    centre_y = (t_top + t_bottom) / 2 + shift[0] * t_h
    centre_x = (t_left + t_right) / 2 + shift[1] * t_w
    return height, width, int(round(centre_y - height / 2)), int(round(centre_x - width / 2))


def images_by_cluster(dataset) -> dict[int, np.ndarray]:
    """Pseudo class (``bbox_label``) -> sorted indices of the dataset's images holding a non-ignored instance of it."""
    table: dict[int, set[int]] = defaultdict(set)
    for index in range(len(dataset)):
        for instance in dataset.get_data_info(index)['instances']:
            if not instance.get('ignore_flag', 0):
                table[int(instance['bbox_label'])].add(index)
    return {label: np.array(sorted(indices), dtype=np.int64) for label, indices in table.items()}


@TRANSFORMS.register_module()
class SemanticAwareCopyPaste(CutLERCopyPaste):
    """U2Seg's semantic-aware copy-paste (eq. 4) in mmdet's ``MultiImageMixDataset``, on a clustered pseudo-mask file.

    Per image (with probability ``prob``):

    1. pick a target instance at random among those whose cluster also occurs in another image of the dataset;
    2. pick such another image at random, load it through the inner dataset (its pipeline runs as for any
       image), and pick one of its instances of the same cluster;
    3. ``T``: resize that instance (aspect kept) to ``r`` times the partner's box size, ``r`` uniform in
       ``relative_scale_range``, and centre it on the partner's box centre shifted by ``d`` times the partner's box
       height and width, ``|d|`` uniform in ``shift_range`` with a random sign per axis (:func:`pair_placement`);
       what falls outside the image is cut off;
    4. drop the paste if it covers ``>= max_cover`` of some target mask (CutLER's rule), else paste it by eq. 4
       (:func:`semantic_aware_paste`), cut it out of the target masks, remove emptied ones, append it with its
       cluster label (and its SC map and score), and recompute the boxes from the masks.

    When no pair exists (no target instance's cluster occurs elsewhere, the loaded source lost it in its pipeline,
    or the paste was dropped), ``fallback='cutler'`` does CutLER's random copy-paste from a random image (with all
    of :class:`CutLERCopyPaste`'s arguments), ``'none'`` leaves the image as it is.

    Why the transform loads its source itself: the source depends on the target's clusters, but mmdet's
    ``MultiImageMixDataset`` calls ``get_indexes(dataset)`` without the target. So ``get_indexes`` returns no index
    (the wrapper then loads nothing) and keeps the dataset; on first use it indexes the clusters of every image
    (:func:`images_by_cluster`, one pass over the annotations per worker), and :meth:`transform` fetches the paired
    source with the same ``dataset[index]`` call the wrapper would make. Use it only inside ``MultiImageMixDataset``.

    Unverified choices (the paper gives no numbers): ``relative_scale_range=(0.5, 1.5)`` and
    ``shift_range=(0.25, 0.75)``, i.e. pasted objects of about the partner's size that overlap it partly; one pair
    per image.

    Args:
        relative_scale_range: ``(low, high)``, ``0 < low <= high``, of the size ratio ``r`` to the partner.
        shift_range: ``(low, high)``, ``0 <= low <= high``, of ``|d|`` per axis, in partner box sizes.
        fallback: ``'cutler'`` or ``'none'``.
        **kwargs: :class:`CutLERCopyPaste` arguments (``prob`` and ``max_cover`` apply to both paths;
            ``scale_range``, ``selected``, ``max_num_pasted`` to the CutLER fallback).
    """

    def __init__(self, relative_scale_range: tuple[float, float] = (0.5, 1.5),
                 shift_range: tuple[float, float] = (0.25, 0.75), fallback: str = 'cutler', **kwargs) -> None:
        super().__init__(**kwargs)
        low, high = relative_scale_range
        if not 0 < low <= high:
            raise ValueError(f'relative_scale_range must satisfy 0 < low <= high; got {relative_scale_range}')
        shift_low, shift_high = shift_range
        if not 0 <= shift_low <= shift_high:
            raise ValueError(f'shift_range must satisfy 0 <= low <= high; got {shift_range}')
        if fallback not in FALLBACKS:
            raise ValueError(f'fallback must be one of {FALLBACKS}; got {fallback!r}')
        self.relative_scale_range = (float(low), float(high))
        self.shift_range = (float(shift_low), float(shift_high))
        self.fallback = fallback
        self._dataset = None
        self._images_of_cluster: dict[int, np.ndarray] = {}

    def get_indexes(self, dataset) -> list:
        """Keep ``dataset`` (and index its clusters once); no index: the source is chosen in :meth:`transform`."""
        if dataset is not self._dataset:
            self._images_of_cluster = images_by_cluster(dataset)
            self._dataset = dataset
        return []

    def transform(self, results: dict) -> dict:
        if self._dataset is None:
            raise RuntimeError('SemanticAwareCopyPaste runs inside mmdet MultiImageMixDataset, which calls '
                               'get_indexes(dataset) before the transform')
        if not self._pastes():
            return results
        pair = self._draw_pair(results)
        if pair is not None:
            pasted = self._paste_pair(results, *pair)
            if pasted is not None:
                return pasted
        if self.fallback == 'none':
            return results
        source = self._dataset[super().get_indexes(self._dataset)]
        if source is None:
            return results
        return self._copy_paste(results, self._select_object(source) if self.selected else source)

    def _compose(self, target_img: np.ndarray, source_canvas: np.ndarray, pasted: BitmapMasks) -> np.ndarray:
        return semantic_aware_paste(target_img, source_canvas, pasted.masks > 0)

    @cache_randomness
    def _draw_pair(self, results: dict) -> tuple[int, int] | None:
        """``(target instance index, source image index)`` of one random same-cluster pair, or None."""
        sample_idx = results.get('sample_idx', -1)
        areas = results['gt_masks'].areas
        candidates = []
        for index, label in enumerate(results['gt_bboxes_labels']):
            others = self._images_of_cluster.get(int(label), np.empty(0, np.int64))
            if areas[index] > 0 and np.any(others != sample_idx):
                candidates.append(index)
        if not candidates:
            return None
        target = int(candidates[np.random.randint(len(candidates))])
        others = self._images_of_cluster[int(results['gt_bboxes_labels'][target])]
        others = others[others != sample_idx]
        return target, int(others[np.random.randint(len(others))])

    @cache_randomness
    def _draw_transform(self) -> tuple[float, tuple[float, float]]:
        """``(r, (dy, dx))`` of ``T``: the size ratio and the signed shift in partner box sizes."""
        scale = float(np.random.uniform(*self.relative_scale_range))
        shift = np.random.uniform(*self.shift_range, size=2) * np.random.choice((-1.0, 1.0), size=2)
        return scale, (float(shift[0]), float(shift[1]))

    def _paste_pair(self, dst_results: dict, target: int, source_index: int) -> dict | None:
        """Paste one instance of the target instance's cluster from image ``source_index``; None if impossible."""
        src_results = self._dataset[source_index]
        label = int(dst_results['gt_bboxes_labels'][target])
        if src_results is None:
            return None
        same = np.flatnonzero((src_results['gt_bboxes_labels'] == label) & (src_results['gt_masks'].areas > 0))
        if same.size == 0:
            return None
        chosen = int(same[np.random.randint(same.size)])
        dst_masks, src_masks = unify_mask_types(self.get_gt_masks(dst_results), src_results['gt_masks'])
        source_box = mask_box(src_masks.masks[chosen] > 0)
        scale, shift = self._draw_transform()
        placement = pair_placement(source_box, mask_box(dst_masks.masks[target] > 0), scale, shift)
        moved = _move_instance(src_results['img'], src_masks[[chosen]], source_box, placement,
                               dst_results['img'].shape[:2])
        if moved is None:
            return None
        canvas, pasted = moved
        if pasted.areas[0] == 0 or not self._uncovering(pasted, dst_masks)[0]:
            return None
        labels = np.full(1, label, dtype=dst_results['gt_bboxes_labels'].dtype)
        return self.paste_instances(dst_results, dst_masks, canvas, pasted, labels,
                                    src_results['gt_ignore_flags'][[chosen]])

    def __repr__(self) -> str:
        return (f'{super().__repr__()[:-1]}, relative_scale_range={self.relative_scale_range}, '
                f'shift_range={self.shift_range}, fallback={self.fallback!r})')


def _move_instance(src_img: np.ndarray, instance: BitmapMasks, source_box: tuple[int, int, int, int],
                   placement: tuple[int, int, int, int],
                   size: tuple[int, int]) -> tuple[np.ndarray, BitmapMasks] | None:
    """Apply ``T``: the source box's pixels and mask resized and put at ``placement`` on an empty ``size`` canvas.

    Returns ``(canvas image, moved mask at size)``, or None when the placement lies wholly outside the image.
    """
    height, width, top, left = placement
    s_top, s_left, s_bottom, s_right = source_box
    canvas_h, canvas_w = size
    rows = (max(top, 0), min(top + height, canvas_h))
    cols = (max(left, 0), min(left + width, canvas_w))
    if rows[1] <= rows[0] or cols[1] <= cols[0]:
        return None
    patch = mmcv.imresize(src_img[s_top:s_bottom, s_left:s_right], (width, height), interpolation='bilinear')
    moved = instance.crop(np.array([s_left, s_top, s_right, s_bottom])).resize((height, width))
    visible = np.array([cols[0] - left, rows[0] - top, cols[1] - left, rows[1] - top])
    moved = moved.crop(visible).expand(canvas_h, canvas_w, rows[0], cols[0])
    canvas = np.zeros((canvas_h, canvas_w) + src_img.shape[2:], dtype=src_img.dtype)
    canvas[rows[0]:rows[1], cols[0]:cols[1]] = patch[visible[1]:visible[3], visible[0]:visible[2]]
    return canvas, moved
