"""Cluster pseudo-masks into pseudo classes (U2Seg sec. 3.2): the class-agnostic json becomes a C-class json.

    cuts3d cluster CONFIG PSEUDO.json --images DIR --out CLUSTERED.json
        [--num-clusters C] [--embeddings FILE.npy] [--no-progress] [--cfg-options KEY=VALUE ...]

(``python tools/cluster_pseudo_masks.py`` runs the same code.)

The config's ``clustering`` dict names the ``feature_extractor`` (any FEATURE_EXTRACTORS config), ``num_clusters``
(U2Seg: 300 or 800), ``seed`` and ``iterations``. Each pseudo-mask is embedded by mask-pooling the patch features
of its image (``cuts3d.u2seg.mask_embedding``), the embeddings are clustered by K-Means, and CLUSTERED.json is
PSEUDO.json with categories ``cluster_1..cluster_C`` and each annotation's ``category_id`` set (``score`` and
``spatial_confidence`` kept). The centroids go to ``<out stem>.centroids.npy`` (C x D; assign new masks with
``cuts3d.u2seg.assign_to_centroids``). ``--embeddings FILE.npy`` caches the embeddings: reused when the file
exists (and matches), written otherwise, so other cluster counts skip the feature extraction.

Exit status 0 on success, 2 with a one-line reason on bad input (missing files, C > number of masks, ...).
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from .arguments import add_cfg_options, parser_for

if TYPE_CHECKING:
    import numpy as np

PROG = 'cuts3d cluster'


class InputError(ValueError):
    """Bad command-line input (a missing folder or cluster count, a mismatched embeddings file)."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = parser_for(PROG, 'Cluster pseudo-masks into pseudo classes (U2Seg).')
    parser.add_argument('config', help='config file holding clustering = dict(feature_extractor=..., ...)')
    parser.add_argument('pseudo', help='class-agnostic pseudo-mask COCO json')
    parser.add_argument('--images', required=True, help='image root: the json file_names are relative to it')
    parser.add_argument('--out', required=True, help='clustered COCO json')
    parser.add_argument('--num-clusters', type=int, help='C (default: clustering.num_clusters of the config)')
    parser.add_argument('--embeddings', help='cache of the N x D mask embeddings (.npy): read if present, else written')
    parser.add_argument('--no-progress', action='store_true', help='no progress bar')
    add_cfg_options(parser)
    return parser.parse_args(argv)


def clustering_settings(path: str, options: dict | None, num_clusters: int | None) -> dict:
    """The config's ``clustering`` dict with ``--cfg-options`` merged and ``--num-clusters`` applied."""
    from cuts3d.pseudo import load_tool_config

    settings = load_tool_config(path, options, 'clustering.feature_extractor').clustering.to_dict()
    if num_clusters is not None:
        settings['num_clusters'] = num_clusters
    if not isinstance(settings.get('num_clusters'), int):
        raise InputError('set clustering.num_clusters in the config or pass --num-clusters')
    return settings


def mask_embeddings(data: dict, args: argparse.Namespace, settings: dict) -> np.ndarray:
    """The ``N x D`` embeddings: from ``--embeddings`` when it exists, else computed (and cached there)."""
    import numpy as np

    from cuts3d.registry import FEATURE_EXTRACTORS, build_component
    from cuts3d.u2seg import embed_pseudo_masks

    if args.embeddings and os.path.isfile(args.embeddings):
        embeddings = np.load(args.embeddings)
        if embeddings.ndim != 2 or len(embeddings) != len(data['annotations']):
            raise InputError(f'--embeddings {args.embeddings} holds {embeddings.shape} rows for '
                             f'{len(data["annotations"])} pseudo-masks; delete it to recompute')
        return embeddings
    if not os.path.isdir(args.images):
        raise InputError(f'--images {args.images} is not a folder')
    extractor = build_component(settings['feature_extractor'], FEATURE_EXTRACTORS)
    embeddings = embed_pseudo_masks(data, args.images, extractor, progress=not args.no_progress)
    if args.embeddings:
        np.save(args.embeddings, embeddings)
    return embeddings


def centroids_path(out: str) -> str:
    """``<out stem>.centroids.npy`` beside the clustered json."""
    return f'{os.path.splitext(out)[0]}.centroids.npy'


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import numpy as np

    from cuts3d.pseudo import PseudoMaskFileError, ToolConfigError, load_pseudo_masks
    from cuts3d.pseudo.coco_writer import to_jsonable, write_coco_json
    from cuts3d.registry import UnknownComponentError
    from cuts3d.u2seg import ClusteringError, MaskEmbeddingError, clustered_pseudo_masks, fit_kmeans
    from cuts3d.version import __version__
    from cuts3d.weights import CheckpointError

    try:
        settings = clustering_settings(args.config, args.cfg_options, args.num_clusters)
        data = load_pseudo_masks(args.pseudo)
        embeddings = mask_embeddings(data, args, settings)
        num_clusters = settings['num_clusters']
        labels, centroids = fit_kmeans(embeddings, num_clusters, seed=settings.get('seed', 0),
                                       iterations=settings.get('iterations', 50))
        info = {'method': 'U2Seg K-Means of mask-pooled patch features', 'cuts3d_version': __version__,
                'source': os.path.abspath(args.pseudo), 'centroids': os.path.abspath(centroids_path(args.out)),
                **to_jsonable(settings)}
        clustered = clustered_pseudo_masks(data, labels, num_clusters, info)
    except (InputError, ToolConfigError, PseudoMaskFileError, MaskEmbeddingError, ClusteringError,
            UnknownComponentError, CheckpointError, OSError, SyntaxError, TypeError, ValueError, KeyError) as error:
        print(f'{PROG}: error: {type(error).__name__}: {error}', file=sys.stderr)
        return 2
    write_coco_json(args.out, clustered['info'], clustered['images'], clustered['annotations'],
                    categories=clustered['categories'])
    np.save(centroids_path(args.out), centroids)
    sizes = np.bincount(labels, minlength=num_clusters)
    print(f'{PROG}: {len(labels)} pseudo-masks of {len(data["images"])} images in {num_clusters} clusters '
          f'({np.count_nonzero(sizes)} non-empty, largest {sizes.max()}) -> {args.out}, '
          f'centroids -> {centroids_path(args.out)}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
