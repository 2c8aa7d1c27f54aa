"""Turn the pseudo-mask file's per-instance SC level sets into maps that ride with the masks through the pipeline."""
from __future__ import annotations

import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.structures.mask import BitmapMasks

from cuts3d.registry import TRANSFORMS

from ...structures.rle import decode_confidence_levels
from ...structures.spatial_confidence_masks import SpatialConfidenceMasks


@TRANSFORMS.register_module()
class LoadSpatialConfidence(BaseTransform):
    """Replace ``results['gt_masks']`` by :class:`SpatialConfidenceMasks` holding each instance's SC map and score.

    Place it right after ``LoadAnnotations(with_bbox=True, with_mask=True)`` (bitmap masks, the default
    ``poly2mask=True``) and before any geometric transform; from then on mmdet's ``Resize``, ``RandomFlip``,
    ``RandomCrop``, ``Pad``, ... move and filter the SC maps together with the masks (see
    :mod:`cuts3d.structures.spatial_confidence_masks`).

    Per instance (``results['instances'][i]``, as parsed by ``PseudoMaskDataset``):

    - with ``spatial_confidence``: the level map decoded from its RLEs (``SC = level / T``);
    - without (CutLER pseudo-masks, self-training predictions): SC = 1 inside the mask, 0 outside (``T = 1``);
    - ``sc_mean``: the instance's ``sc_mean`` (the mean SC the extraction wrote); without one, the mean SC inside
      the mask (1.0 without SC: model predictions added by self-training have no SC map);
    - score: the instance's ``score`` (the mean SC of a pseudo-mask, the detection score of a self-training
      prediction); without one, the mean SC.

    Required keys: ``gt_masks`` (``BitmapMasks``), ``instances``, ``ori_shape``. Modified keys: ``gt_masks``.

    Raises:
        KeyError: no ``gt_masks`` (``LoadAnnotations`` missing or ``with_mask=False``).
        TypeError: ``gt_masks`` are polygons, or already carry SC.
        ValueError: masks and instances disagree in number, the masks were already resized, or an SC entry is
            malformed.
    """

    def transform(self, results: dict) -> dict:
        masks = results.get('gt_masks')
        if masks is None:
            raise KeyError('LoadSpatialConfidence needs results["gt_masks"]: put it after '
                           'LoadAnnotations(with_bbox=True, with_mask=True)')
        if isinstance(masks, SpatialConfidenceMasks):
            raise TypeError('gt_masks already carry Spatial Confidence: LoadSpatialConfidence appears twice')
        if not isinstance(masks, BitmapMasks):
            raise TypeError(f'LoadSpatialConfidence needs bitmap masks, got {type(masks).__name__}: '
                            'use LoadAnnotations(poly2mask=True)')
        instances = results.get('instances', [])
        if len(instances) != len(masks):
            raise ValueError(f'{len(masks)} masks but {len(instances)} instances in results["instances"]')
        height, width = masks.height, masks.width
        if (height, width) != tuple(results['ori_shape'][:2]):
            raise ValueError(f'gt_masks are {height} x {width} but the image was loaded at {results["ori_shape"]}: '
                             'LoadSpatialConfidence must run before any geometric transform')

        sc_levels = np.zeros((len(masks), height, width), dtype=np.uint8)
        num_levels = np.ones(len(masks), dtype=np.int32)
        scores = np.ones(len(masks), dtype=np.float32)
        sc_means = np.ones(len(masks), dtype=np.float32)
        for i, (instance, mask) in enumerate(zip(instances, masks.masks)):
            inside = mask > 0
            if instance.get('spatial_confidence') is not None:
                sc_levels[i], num_levels[i] = decode_confidence_levels(instance['spatial_confidence'], height,
                                                                       width)
            else:
                sc_levels[i] = inside
            if 'sc_mean' in instance:
                sc_means[i] = instance['sc_mean']
            elif inside.any():
                sc_means[i] = sc_levels[i][inside].mean() / num_levels[i]
            scores[i] = instance.get('score', sc_means[i])
        results['gt_masks'] = SpatialConfidenceMasks(masks.masks, height, width, sc_levels, num_levels, scores,
                                                     sc_means)
        return results
