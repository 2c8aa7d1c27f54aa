"""One feature vector per pseudo-mask: patch features of its image, pooled under the mask, for U2Seg's clustering.

U2Seg (Niu et al., CVPR 2024, sec. 3.2) clusters "instance-level features" of every MaskCut mask of the dataset; its
release leaves out how they are computed (``docs/reference.md``, "Neighbours"). This project's choice: run any
registered feature extractor (DINO ViT keys, as MaskCut uses, or a stand-in) on the whole image once, L2-normalise every
patch feature, average them weighted by the fraction of each patch that the mask covers, and L2-normalise the result.
Normalising the patches first makes each covered patch count by its area only (key norms vary a lot between patches);
normalising the mean makes K-Means' Euclidean distance a cosine distance.
"""
from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterator

import cv2
import numpy as np
from tqdm import tqdm

from ..pseudo.coco_reader import annotation_mask
from ..structures import PatchFeatures
from ..utils.image_io import load_rgb

EPS = 1e-12


class MaskEmbeddingError(ValueError):
    """A pseudo-mask that cannot be embedded: empty, of another size than its image, or its image is missing."""


def patch_coverage(mask: np.ndarray, grid: tuple[int, int]) -> np.ndarray:
    """Fraction of each patch of the ``h x w`` grid covered by the bool ``H x W`` mask (area-averaged resize).

    The grid spans the whole image, as the feature extractors resize the full image (aspect not kept).
    """
    height, width = grid
    return cv2.resize(mask.astype(np.float32), (width, height), interpolation=cv2.INTER_AREA)


def normalized_patches(features: PatchFeatures) -> np.ndarray:
    """The ``C x h x w`` features as ``(h * w) x C``, each row L2-normalised."""
    flat = features.feats.reshape(features.feats.shape[0], -1).T
    return flat / np.maximum(np.linalg.norm(flat, axis=1, keepdims=True), EPS)


def mask_pooled_embedding(features: PatchFeatures, mask: np.ndarray) -> np.ndarray:
    """L2-normalised coverage-weighted mean of the L2-normalised patch features under ``mask`` (float32 ``C``).

    Raises:
        MaskEmbeddingError: for an empty mask (it covers no patch).
    """
    weights = patch_coverage(mask, features.grid).reshape(-1)
    if weights.sum() <= 0:
        raise MaskEmbeddingError('an empty mask has no embedding')
    pooled = weights @ normalized_patches(features)
    return (pooled / max(float(np.linalg.norm(pooled)), EPS)).astype(np.float32)


def _annotations_by_image(data: dict) -> dict[int, list[int]]:
    """Image id -> indices (into ``data['annotations']``) of its annotations, in file order."""
    by_image: dict[int, list[int]] = defaultdict(list)
    for index, ann in enumerate(data['annotations']):
        by_image[ann['image_id']].append(index)
    return by_image


def _image_entries(data: dict, by_image: dict[int, list[int]]) -> Iterator[dict]:
    known = {image['id'] for image in data['images']}
    orphans = sorted(set(by_image) - known)
    if orphans:
        raise MaskEmbeddingError(f'annotations refer to image id(s) not in "images", e.g. {orphans[0]}')
    return (image for image in data['images'] if by_image.get(image['id']))


def embed_pseudo_masks(data: dict, image_root: str | os.PathLike,
                       extractor: Callable[[np.ndarray], PatchFeatures], progress: bool = True) -> np.ndarray:
    """``N x C`` float32 embeddings of the ``N`` annotations of a pseudo-mask json, row ``i`` for annotation ``i``.

    Each image with annotations is read once from ``image_root / file_name`` and passed through ``extractor``.

    Raises:
        MaskEmbeddingError: an image is missing or unreadable, or its size differs from the json's
            ``width``/``height``, or a mask is empty or of another size, or an annotation names an unknown image.
    """
    by_image = _annotations_by_image(data)
    rows: list[np.ndarray | None] = [None] * len(data['annotations'])
    entries = list(_image_entries(data, by_image))
    for image in tqdm(entries, desc='embed pseudo-masks', unit='img', disable=not progress, dynamic_ncols=True):
        path = os.path.join(os.fspath(image_root), image['file_name'])
        try:
            rgb = load_rgb(path)
        except ValueError as error:  # ImageLoadError and its subclasses
            raise MaskEmbeddingError(f'image {image["id"]}: {error}') from error
        if rgb.shape[:2] != (image['height'], image['width']):
            raise MaskEmbeddingError(f'{path} is {rgb.shape[1]} x {rgb.shape[0]} (w x h) but the json says '
                                     f'{image["width"]} x {image["height"]}')
        features = extractor(rgb)
        for index in by_image[image['id']]:
            ann = data['annotations'][index]
            mask = annotation_mask(ann)
            if mask.shape != rgb.shape[:2]:
                raise MaskEmbeddingError(f'annotation {ann.get("id")}: mask is {mask.shape}, image is '
                                         f'{rgb.shape[:2]}')
            try:
                rows[index] = mask_pooled_embedding(features, mask)
            except MaskEmbeddingError as error:
                raise MaskEmbeddingError(f'annotation {ann.get("id")}: {error}') from error
    if not rows:
        raise MaskEmbeddingError('the pseudo-mask file has no annotations to embed')
    return np.stack(rows)
