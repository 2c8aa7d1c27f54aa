"""Panoptic pseudo-labels (U2Seg sec. 3.3, eq. 5): clustered pseudo-masks as things over a stuff map.

    cuts3d panoptic CONFIG CLUSTERED.json --images DIR --out PANOPTIC.json [--no-progress] [--cfg-options KEY=VALUE ...]

(``python tools/make_panoptic_pseudo_labels.py`` runs the same code.) CLUSTERED.json is the output of
``cuts3d cluster`` (categories ``1..C``). The config's ``panoptic``
dict names the ``stuff_source`` (a STUFF_SOURCES config, e.g. ``KMeansStuff``), ``max_thing_overlap`` (see
``cuts3d.u2seg.panoptic_pseudo_labels``) and ``fit_images``: a stuff source that must be fitted first (one with a
``fit`` method and no centroids, as ``KMeansStuff`` without ``centroids=``) is fitted on that many images spread
evenly over the file, and its centroids are saved to ``<out stem>.stuff_centroids.npy`` for reuse.

Output, in COCO panoptic format: PANOPTIC.json (images, annotations with ``segments_info``, categories: things
``cluster_k`` with ids ``1..C``, stuff ``stuff_s`` with ids ``C + s``) and one PNG per image under
``<out stem>/`` (``id = R + 256 G + 256^2 B``). Exit status 0 on success, 2 with a one-line reason on bad input.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from typing import TYPE_CHECKING

from .arguments import add_cfg_options, parser_for

if TYPE_CHECKING:
    import numpy as np

    from cuts3d.u2seg import ThingMask

PROG = 'cuts3d panoptic'


class InputError(ValueError):
    """Bad command-line input (a missing folder, a file that is not a clustered pseudo-mask json)."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = parser_for(PROG, 'Panoptic pseudo-labels from clustered pseudo-masks.')
    parser.add_argument('config', help='config file holding panoptic = dict(stuff_source=..., ...)')
    parser.add_argument('clustered', help='clustered pseudo-mask json (cuts3d cluster)')
    parser.add_argument('--images', required=True, help='image root: the json file_names are relative to it')
    parser.add_argument('--out', required=True, help='COCO panoptic json; PNGs go to the folder <out stem>/')
    parser.add_argument('--no-progress', action='store_true', help='no progress bar')
    add_cfg_options(parser)
    return parser.parse_args(argv)


def panoptic_settings(path: str, options: dict | None) -> dict:
    """The config's ``panoptic`` dict with ``--cfg-options`` merged."""
    from cuts3d.pseudo import load_tool_config

    return load_tool_config(path, options, 'panoptic.stuff_source').panoptic.to_dict()


def thing_class_count(data: dict) -> int:
    """``C`` of a clustered file, whose categories must be exactly ``1..C``."""
    ids = sorted(category['id'] for category in data['categories'])
    if not ids or ids != list(range(1, len(ids) + 1)):
        raise InputError(f'a clustered pseudo-mask file has categories 1..C; got ids {ids[:5]}...')
    return len(ids)


class ImageReader:
    """An image of the json and its thing masks, checked against the json's size."""

    def __init__(self, data: dict, root: str) -> None:
        self.root = root
        self.annotations = defaultdict(list)
        for ann in data['annotations']:
            self.annotations[ann['image_id']].append(ann)

    def image(self, entry: dict) -> np.ndarray:
        from cuts3d.utils.image_io import load_rgb

        rgb = load_rgb(os.path.join(self.root, entry['file_name']))
        if rgb.shape[:2] != (entry['height'], entry['width']):
            raise InputError(f'{entry["file_name"]} is {rgb.shape[1]} x {rgb.shape[0]} (w x h) but the json says '
                             f'{entry["width"]} x {entry["height"]}')
        return rgb

    def things(self, entry: dict) -> list[ThingMask]:
        from cuts3d.pseudo import annotation_mask
        from cuts3d.u2seg import ThingMask

        return [ThingMask(annotation_mask(ann), int(ann['category_id'])) for ann in self.annotations[entry['id']]]

    def meta(self, entry: dict) -> dict:
        return {'img_path': os.path.abspath(os.path.join(self.root, entry['file_name'])),
                'rel_path': entry['file_name']}


def fit_stuff_source(source, reader: ImageReader, images: list[dict], count: int, out: str) -> None:
    """Fit ``source`` on ``count`` images spread evenly over ``images``; save its centroids beside ``out``."""
    import numpy as np

    chosen = [images[i] for i in np.unique(np.linspace(0, len(images) - 1, min(count, len(images))).astype(int))]

    def samples():
        for entry in chosen:
            things = reader.things(entry)
            union = np.any([t.mask for t in things], axis=0) if things else None
            yield reader.image(entry), union

    centroids = source.fit(samples())
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    np.save(f'{os.path.splitext(out)[0]}.stuff_centroids.npy', centroids)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from tqdm import tqdm

    from cuts3d.pseudo import PseudoMaskFileError, ToolConfigError, load_pseudo_masks
    from cuts3d.pseudo.coco_writer import to_jsonable
    from cuts3d.registry import STUFF_SOURCES, UnknownComponentError, build_component
    from cuts3d.u2seg import (ClusteringError, panoptic_categories, panoptic_pseudo_labels, png_name,
                              write_panoptic_png)
    from cuts3d.utils.atomic_file import write_json_atomic
    from cuts3d.utils.image_io import ImageLoadError
    from cuts3d.version import __version__
    from cuts3d.weights import CheckpointError

    try:
        settings = panoptic_settings(args.config, args.cfg_options)
        data = load_pseudo_masks(args.clustered)
        num_things = thing_class_count(data)
        if not os.path.isdir(args.images):
            raise InputError(f'--images {args.images} is not a folder')
        source = build_component(settings['stuff_source'], STUFF_SOURCES)
        reader = ImageReader(data, args.images)
        if callable(getattr(source, 'fit', None)) and getattr(source, 'centroids', None) is None:
            fit_stuff_source(source, reader, data['images'], settings.get('fit_images', 1000), args.out)
        png_root = os.path.splitext(args.out)[0]
        annotations = []
        for entry in tqdm(data['images'], desc='panoptic pseudo-labels', unit='img', disable=args.no_progress,
                          dynamic_ncols=True):
            labels = panoptic_pseudo_labels(reader.things(entry), source(reader.image(entry), reader.meta(entry)),
                                            num_things, settings.get('max_thing_overlap', 0.7))
            write_panoptic_png(os.path.join(png_root, png_name(entry['file_name'])), labels.segment_map)
            annotations.append({'image_id': entry['id'], 'file_name': png_name(entry['file_name']),
                                'segments_info': labels.segments})
    except (InputError, ToolConfigError, PseudoMaskFileError, ImageLoadError, ClusteringError,
            UnknownComponentError, CheckpointError, OSError, SyntaxError, TypeError, ValueError, KeyError) as error:
        print(f'{PROG}: error: {type(error).__name__}: {error}', file=sys.stderr)
        return 2
    info = {'description': 'U2Seg panoptic pseudo-labels (eq. 5)', 'cuts3d_version': __version__,
            'source': os.path.abspath(args.clustered), 'panoptic': to_jsonable(settings)}
    categories = panoptic_categories(num_things, source.num_classes)
    write_json_atomic(args.out, {'info': info, 'images': data['images'], 'annotations': annotations,
                                 'categories': categories})
    segments = sum(len(a['segments_info']) for a in annotations)
    print(f'{PROG}: {len(annotations)} images, {segments} segments ({num_things} thing and {source.num_classes} '
          f'stuff classes) -> {args.out}, PNGs in {png_root}/')
    return 0


if __name__ == '__main__':
    sys.exit(main())
