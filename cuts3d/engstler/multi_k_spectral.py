"""Engstler et al.'s mask proposals: multi-k spectral clustering, a k = 2 saliency filter, component splitting, NMS.

"Understanding Self-Supervised Features for Learning Unsupervised Instance Segmentation" (Engstler, Melas-Kyriazi,
Rupprecht, Laina), section 4 and appendix A.2.1, as one registered generator over the project's components:

1. patch features of the image (MAE ViT-B/16 in the paper; any FEATURE_EXTRACTOR);
2. normalised spectral clustering of the patch graph for every ``k`` in ``K = {2, 3, 4, 5}``: every cluster is a
   candidate mask (2 + 3 + 4 + 5 = 14 per image, the paper's count);
3. every candidate with several connected components is split into one candidate per component (their Table 6);
4. a saliency mask from spectral clustering with ``k = 2`` on a saliency extractor (DINO ViT-B/16 in the paper);
   the foreground cluster is the one touching the image border less (on fewer border patches);
5. candidates whose intersection with the saliency mask is below 0.5 are discarded;
6. non-maximum suppression at mask IoU 0.8 removes duplicates.

Choices the paper leaves open, made here and exposed as arguments:

* The affinity is the cosine similarity of patch features with negative values set to 0 (a spectral-clustering
  affinity must be non-negative), the normalised-spectral-clustering recipe of Ng, Jordan and Weiss (2002):
  the top-``k`` eigenvectors of ``D^(-1/2) A D^(-1/2)``, rows scaled to unit length, then k-means
  (scikit-learn's ``KMeans`` with k-means++ seeding, ``kmeans_restarts`` restarts from a fixed ``seed``, lowest
  inertia kept).
  The eigenvectors are computed once per image for ``max(K)`` and their leading ``k`` columns reused per ``k``.
* "Intersection score" is read as the fraction of the *candidate* that lies inside the saliency mask,
  ``|m & s| / |m|`` (the paper names no denominator). When the saliency extractor has another patch grid, the
  saliency mask is area-resampled to the candidate grid, so the overlap counts fractional patches.
* Order: split, then filter, then NMS, as the appendix lists them. NMS ranks candidates by their saliency
  overlap (ties: larger first, then the order of ``K``), and each kept instance has that overlap as its ``score``
  and confidence 1 inside its mask (no Spatial Confidence).
* ``min_patches`` drops components smaller than that many patches (1 keeps all, the paper's rule).
* An image whose saliency clustering finds fewer than two clusters (no structure) gives no pseudo-masks.
"""
from __future__ import annotations

from typing import Any, Sequence

import cv2
import numpy as np
from scipy import ndimage
from scipy.linalg import eigh

from ..cutting.affinity import cosine_affinity, l2_normalize
from ..cutting.connected_component import STRUCTURES
from ..registry import FEATURE_EXTRACTORS, MASK_REFINERS, PSEUDO_MASK_GENERATORS, build_component
from ..pseudo.mask_refinement import refine_to_image
from ..structures import Instance, PatchFeatures
from ..utils.mask_ops import resize_rgb
from ..utils.timing import StageTimer

STAGES = ('features', 'saliency', 'cluster', 'select', 'refine')
# Eigenvalues below this fraction of the largest count as 0; embedded points equal to this many decimals as one.
ZERO_EIGENVALUE = 1e-9
DISTINCT_DECIMALS = 9


def spectral_affinity(feats: np.ndarray) -> np.ndarray:
    """Non-negative patch affinity ``A_ij = max(cos(f_i, f_j), 0)`` for node features ``N x C`` (float64)."""
    return np.clip(cosine_affinity(feats).astype(np.float64), 0.0, None)


def spectral_embedding(affinity: np.ndarray, num_vectors: int) -> np.ndarray:
    """The ``num_vectors`` leading eigenvectors of ``D^(-1/2) A D^(-1/2)`` (Ng, Jordan and Weiss 2002), ``N x k``.

    Columns are ordered by decreasing eigenvalue (the first is the trivial ``D^(1/2) 1`` direction of a connected
    graph); a dense symmetric ``eigh`` restricted to that index range, so the result does not depend on a random
    start vector. Columns whose eigenvalue is (numerically) 0 are set to 0: any basis of that eigenspace is as
    good as another, so they carry no structure, and an image without any (all features alike) then embeds every
    patch at one point. Rows of zero degree (possible only for all-zero features) get degree 1 to stay finite.
    """
    n = affinity.shape[0]
    if not 1 <= num_vectors <= n:
        raise ValueError(f'cannot take {num_vectors} eigenvectors of a {n}-node graph')
    degrees = affinity.sum(axis=1)
    inv_sqrt = 1.0 / np.sqrt(np.where(degrees > 0, degrees, 1.0))
    normalized = affinity * inv_sqrt[:, None] * inv_sqrt[None, :]
    values, vectors = eigh(normalized, subset_by_index=[n - num_vectors, n - 1])
    vectors[:, np.abs(values) <= ZERO_EIGENVALUE * max(float(np.abs(values).max()), 1e-300)] = 0.0
    return vectors[:, ::-1]


def kmeans_labels(points: np.ndarray, k: int, seed: int = 0, restarts: int = 10) -> np.ndarray:
    """k-means labels (``N``, int) of ``points``: scikit-learn's :class:`~sklearn.cluster.KMeans` with the lowest
    inertia of ``restarts`` k-means++ runs.

    Deterministic for a given ``seed``. With fewer than ``k`` distinct points (equal to :data:`DISTINCT_DECIMALS`
    decimals) every point gets label 0: there is no ``k``-way structure to find.
    """
    from sklearn.cluster import KMeans  # loaded when a clustering runs

    if len(np.unique(np.round(points, DISTINCT_DECIMALS), axis=0)) < k:
        return np.zeros(len(points), dtype=np.int64)
    kmeans = KMeans(k, init='k-means++', n_init=restarts, random_state=seed)
    return kmeans.fit_predict(points).astype(np.int64)


def spectral_clusters(embedding: np.ndarray, k: int, seed: int = 0, restarts: int = 10) -> np.ndarray:
    """Normalised spectral clustering into ``k`` clusters: the leading ``k`` columns, unit rows, k-means labels."""
    return kmeans_labels(l2_normalize(embedding[:, :k]), k, seed, restarts)


def border_foreground(labels: np.ndarray) -> np.ndarray:
    """Saliency mask from a clustered grid (``h x w`` labels): the cluster on the fewest border patches.

    Among clusters on equally many border patches the smaller one wins (then the lower label). Empty (all False)
    when the grid holds fewer than two clusters: nothing stands out.
    """
    present = np.unique(labels)
    if len(present) < 2:
        return np.zeros(labels.shape, dtype=bool)
    border = np.ones(labels.shape, dtype=bool)
    border[1:-1, 1:-1] = False
    counts = [(int((labels[border] == c).sum()), int((labels == c).sum()), int(c)) for c in present]
    return labels == min(counts)[2]


def split_components(mask: np.ndarray, connectivity: int = 4, min_patches: int = 1) -> list[np.ndarray]:
    """The connected components of a bool grid mask, each as its own mask, largest first; smaller than
    ``min_patches`` ones dropped (Engstler et al., "non-connected component splitting")."""
    if connectivity not in STRUCTURES:
        raise ValueError(f'connectivity must be 4 or 8, got {connectivity}')
    labels, count = ndimage.label(mask, structure=STRUCTURES[connectivity])
    sizes = np.bincount(labels.ravel(), minlength=count + 1)[1:]
    order = sorted(range(count), key=lambda i: (-sizes[i], i))
    return [labels == i + 1 for i in order if sizes[i] >= min_patches]


def saliency_overlap(mask: np.ndarray, saliency: np.ndarray) -> float:
    """Fraction of ``mask`` inside the saliency map (``saliency`` in [0, 1] per patch): ``sum(s[m]) / |m|``."""
    area = int(mask.sum())
    return float(saliency[mask].sum() / area) if area else 0.0


def mask_iou_matrix(masks: Sequence[np.ndarray]) -> np.ndarray:
    """Pairwise IoU of equally shaped bool masks, ``M x M`` float64 (0 for two empty masks)."""
    flat = np.stack([np.asarray(m, dtype=bool).ravel() for m in masks]).astype(np.float64)
    intersection = flat @ flat.T
    areas = flat.sum(axis=1)
    union = areas[:, None] + areas[None, :] - intersection
    return np.divide(intersection, union, out=np.zeros_like(intersection), where=union > 0)


def mask_nms(masks: Sequence[np.ndarray], scores: Sequence[float], iou_threshold: float) -> list[int]:
    """Greedy NMS on masks: indices kept, best first; a mask is suppressed when its IoU with a kept one is above
    ``iou_threshold``. Ties in score go to the larger mask, then to the earlier index."""
    if not len(masks):
        return []
    ious = mask_iou_matrix(masks)
    areas = [int(np.asarray(m).sum()) for m in masks]
    order = sorted(range(len(masks)), key=lambda i: (-scores[i], -areas[i], i))
    kept: list[int] = []
    for index in order:
        if all(ious[index, other] <= iou_threshold for other in kept):
            kept.append(index)
    return kept


def saliency_on_grid(saliency: np.ndarray, grid: tuple[int, int]) -> np.ndarray:
    """A bool saliency mask as the fraction of each cell of ``grid`` it covers (area resampling), float64."""
    values = saliency.astype(np.float32)
    if saliency.shape == tuple(grid):
        return values.astype(np.float64)
    return cv2.resize(values, (grid[1], grid[0]), interpolation=cv2.INTER_AREA).astype(np.float64)


def _node_features(feats: PatchFeatures) -> np.ndarray:
    if feats.feats.ndim != 3:
        raise ValueError(f'PatchFeatures.feats must be C x h x w, got shape {feats.feats.shape}')
    if not np.isfinite(feats.feats).all():
        raise ValueError('PatchFeatures.feats contains NaN or infinite values')
    return feats.feats.reshape(feats.feats.shape[0], -1).T


@PSEUDO_MASK_GENERATORS.register_module()
class MultiKSpectralGenerator:
    """Engstler et al.'s pseudo-masks; ``__call__(image, meta) -> list[Instance]`` (see the module docstring).

    Args:
        feature_extractor: FEATURE_EXTRACTORS config (or object) for the candidates (paper: MAE ViT-B/16).
        saliency_extractor: FEATURE_EXTRACTORS config for the saliency map (paper: DINO ViT-B/16); None reuses
            the candidate features (the paper's "MAE saliency" ablation, Table 5).
        ks: numbers of clusters (paper: 2, 3, 4, 5).
        saliency_k: clusters of the saliency clustering (paper: 2).
        min_saliency_overlap: keep candidates with at least this fraction inside the saliency mask (paper: 0.5).
        nms_iou: NMS suppresses masks with IoU above this with a better one (paper: 0.8).
        split: split candidates into connected components (paper: yes; Table 6 ablates it).
        connectivity: 4 or 8, the patch connectivity of components (not stated in the paper).
        min_patches: drop components smaller than this many patches (1 = keep all, the paper's rule).
        seed: k-means seed; kmeans_restarts: k-means++ restarts per clustering.
        refiner: MASK_REFINERS config applied at the feature input size (the paper uses none: ``NoRefiner``).
    """

    def __init__(self, feature_extractor: dict | Any, saliency_extractor: dict | Any | None = None, *,
                 ks: Sequence[int] = (2, 3, 4, 5), saliency_k: int = 2, min_saliency_overlap: float = 0.5,
                 nms_iou: float = 0.8, split: bool = True, connectivity: int = 4, min_patches: int = 1,
                 seed: int = 0, kmeans_restarts: int = 10, refiner: dict | Any = None) -> None:
        ks = tuple(int(k) for k in ks)
        if not ks or min(ks) < 2:
            raise ValueError(f'ks must be a non-empty list of cluster counts >= 2, got {ks}')
        if saliency_k < 2:
            raise ValueError(f'saliency_k must be >= 2, got {saliency_k}')
        if not 0 <= min_saliency_overlap <= 1:
            raise ValueError(f'min_saliency_overlap must be in [0, 1], got {min_saliency_overlap}')
        if not 0 <= nms_iou <= 1:
            raise ValueError(f'nms_iou must be in [0, 1], got {nms_iou}')
        if connectivity not in STRUCTURES:
            raise ValueError(f'connectivity must be 4 or 8, got {connectivity}')
        if min_patches < 1 or kmeans_restarts < 1:
            raise ValueError(f'min_patches and kmeans_restarts must be >= 1, got {min_patches}, {kmeans_restarts}')
        self.feature_extractor = build_component(feature_extractor, FEATURE_EXTRACTORS)
        self.saliency_extractor = (None if saliency_extractor is None
                                   else build_component(saliency_extractor, FEATURE_EXTRACTORS))
        self.ks = ks
        self.saliency_k = int(saliency_k)
        self.min_saliency_overlap = float(min_saliency_overlap)
        self.nms_iou = float(nms_iou)
        self.split = bool(split)
        self.connectivity = int(connectivity)
        self.min_patches = int(min_patches)
        self.seed = int(seed)
        self.kmeans_restarts = int(kmeans_restarts)
        self.refiner = build_component(dict(type='NoRefiner') if refiner is None else refiner, MASK_REFINERS)
        self._timer = StageTimer()

    @property
    def timings(self) -> dict[str, float]:
        """Seconds per stage (:data:`STAGES`) spent on the last image."""
        return {stage: self._timer.seconds.get(stage, 0.0) for stage in STAGES}

    def __call__(self, image: np.ndarray, meta: dict | None = None) -> list[Instance]:
        """Pseudo-masks of one RGB uint8 image at its size, best saliency overlap first (``meta`` is unused)."""
        self._timer.reset()
        with self._timer('features'):
            feats = self.feature_extractor(image)
        nodes = _node_features(feats)
        grid = feats.grid
        with self._timer('cluster'):
            embedding = self._embedding(nodes, max(max(self.ks), self.saliency_k))
            candidates = self.candidates(embedding, grid)
        with self._timer('saliency'):
            saliency = saliency_on_grid(self.saliency_mask(image, embedding, grid), grid)
        with self._timer('select'):
            selected = self.select(candidates, saliency)
        resized = resize_rgb(image, feats.input_size)
        instances = []
        with self._timer('refine'):
            for candidate in selected:
                instance = self._to_image(candidate, resized, image.shape[:2])
                if instance is not None:
                    instances.append(instance)
        return instances

    def _embedding(self, nodes: np.ndarray, num_vectors: int) -> np.ndarray:
        if len(nodes) < num_vectors:
            raise ValueError(f'a {len(nodes)}-patch grid cannot be split into {num_vectors} clusters')
        return spectral_embedding(spectral_affinity(nodes), num_vectors)

    def candidates(self, embedding: np.ndarray, grid: tuple[int, int]) -> list[dict]:
        """Every cluster of every ``k`` (split into components): dicts with ``mask``, ``k``, ``cluster``,
        ``component``."""
        out = []
        for k in self.ks:
            labels = spectral_clusters(embedding, k, self.seed, self.kmeans_restarts).reshape(grid)
            for cluster in range(k):
                mask = labels == cluster
                if not mask.any():
                    continue
                parts = (split_components(mask, self.connectivity, self.min_patches) if self.split
                         else [mask] if mask.sum() >= self.min_patches else [])
                out += [dict(mask=part, k=k, cluster=cluster, component=i) for i, part in enumerate(parts)]
        return out

    def saliency_mask(self, image: np.ndarray, embedding: np.ndarray, grid: tuple[int, int]) -> np.ndarray:
        """The k = ``saliency_k`` foreground (bool, on the saliency extractor's grid, or ``grid`` without one)."""
        if self.saliency_extractor is not None:
            feats = self.saliency_extractor(image)
            embedding, grid = self._embedding(_node_features(feats), self.saliency_k), feats.grid
        labels = spectral_clusters(embedding, self.saliency_k, self.seed, self.kmeans_restarts)
        return border_foreground(labels.reshape(grid))

    def select(self, candidates: list[dict], saliency: np.ndarray) -> list[dict]:
        """The saliency filter then NMS; each kept candidate gains ``saliency_overlap``. Best first."""
        for candidate in candidates:
            candidate['saliency_overlap'] = saliency_overlap(candidate['mask'], saliency)
        salient = [c for c in candidates if c['saliency_overlap'] >= self.min_saliency_overlap]
        kept = mask_nms([c['mask'] for c in salient], [c['saliency_overlap'] for c in salient], self.nms_iou)
        return [salient[i] for i in kept]

    def _to_image(self, candidate: dict, resized: np.ndarray, size: tuple[int, int]) -> Instance | None:
        """Patch mask -> feature input size -> refiner -> image size; confidence 1 inside, score = overlap."""
        mask = refine_to_image(self.refiner, resized, candidate['mask'], size)
        if mask is None:
            return None
        provenance = {key: candidate[key] for key in ('k', 'cluster', 'component')}
        provenance.update(saliency_overlap=round(candidate['saliency_overlap'], 4),
                          patch_area=int(candidate['mask'].sum()))
        return Instance(mask=mask, confidence=mask.astype(np.float32), score=float(candidate['saliency_overlap']),
                        provenance=provenance)
