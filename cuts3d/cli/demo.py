"""One image in, its pseudo-masks out: an overlay PNG (masks, scores) and the COCO json (CutLER's ``maskcut/demo.py``).

    cuts3d demo IMAGE [--config CONFIG] [--depth DEPTH | --right RIGHT] [--out-dir DIR] [--cfg-options KEY=VALUE ...]

(``python tools/demo_image.py`` runs the same code.) Without ``--config`` the offline configs for one's own photos
are used: ``configs/demo/own_photos.py`` (MaskCut on EfficientNet-Lite0 features, no depth), with ``--depth``
``configs/demo/own_photos_depth.py`` (CutS3D on that depth map) and with ``--right``
``configs/demo/own_photos_stereo.py`` (CutS3D on stereo depth). ``--depth`` is the image's depth map (``.npy``
float, larger = farther, or a 16-bit ``.png`` from ``cuts3d predict-depth``) or a folder holding ``<image
name>.npy``; ``--right`` is the right view of a rectified pair (or a folder holding it under the image's name), its
calibration read from a json beside it (:mod:`cuts3d.depth.stereo_calibration`). The tool always says which depth
it used, and what became of every cut (kept, dropped, stopped: :mod:`cuts3d.visualization.cut_decisions`).

Writes ``DIR/<image name>.png`` (the image with each mask filled, outlined and labelled ``index: score``) and
``DIR/<image name>.json`` (the image and its masks in the format of ``cuts3d extract``: RLE masks, ``score``,
Spatial Confidence). Large images are processed downscaled to the config's ``extraction.max_side`` and the masks
brought back to the full size, as extraction does.

Exit status: 0 when both files were written (also with no mask: the cut decisions say why); 2 with one line on bad
input (image, config, depth or right view, output folder).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .arguments import add_cfg_options, parser_for

if TYPE_CHECKING:
    from mmengine.config import Config

PROG = 'cuts3d demo'
CONFIGS = Path(__file__).resolve().parents[2] / 'configs' / 'demo'
DEFAULT_CONFIGS = {'none': 'own_photos.py', 'depth': 'own_photos_depth.py', 'right': 'own_photos_stereo.py'}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = parser_for(PROG, 'One image in: an overlay PNG of its pseudo-masks (with scores) and their COCO json.')
    parser.add_argument('image', help='the image (any format PIL reads)')
    parser.add_argument('--config', help='config holding pseudo_mask_generator (default: configs/demo/own_photos.py, '
                                         'own_photos_depth.py with --depth, own_photos_stereo.py with --right)')
    depth = parser.add_mutually_exclusive_group()
    depth.add_argument('--depth', help='depth map of the image (.npy, 16-bit .png), or a folder holding <name>.npy')
    depth.add_argument('--right', help='right view of a rectified stereo pair, or a folder holding <name>.png')
    parser.add_argument('--out-dir', default='work_dirs/demo_image', help='where the PNG and the json go')
    add_cfg_options(parser)
    return parser.parse_args(argv)


def default_config(args: argparse.Namespace) -> str:
    """The config for ``args``: ``--config``, else the own-photos config that fits ``--depth`` / ``--right``."""
    if args.config:
        return args.config
    kind = 'depth' if args.depth else 'right' if args.right else 'none'
    return str(CONFIGS / DEFAULT_CONFIGS[kind])


def companion(path: str, image: str, what: str) -> tuple[str, str]:
    """``(folder, name)`` under which a depth source finds ``path`` for ``image``: a file is found under its own
    name, a folder holds the image's name."""
    from cuts3d.pseudo import ToolConfigError

    if os.path.isdir(path):
        return os.path.abspath(path), os.path.basename(image)
    if not os.path.isfile(path):
        raise ToolConfigError(f'--{what} {path} is neither a file nor a folder')
    return os.path.dirname(os.path.abspath(path)), os.path.basename(path)


def configure_depth(cfg: Config, args: argparse.Namespace) -> str:
    """Point the generator's depth source at ``--depth`` / ``--right``; return the name the source looks up."""
    generator = cfg.pseudo_mask_generator
    name = os.path.basename(args.image)
    if args.depth:
        root, name = companion(args.depth, args.image, 'depth')
        suffixes = (os.path.splitext(name)[1],) if os.path.isfile(args.depth) else ('.npy', '.png')
        generator.depth_source = dict(type='FileDepth', root=root, suffixes=suffixes)
    elif args.right:
        root, name = companion(args.right, args.image, 'right')
        current = generator.get('depth_source') or {}
        calibration = current.get('calibration', 'per_image') if current.get('type') == 'StereoDepth' else 'per_image'
        suffixes = (os.path.splitext(name)[1],) if os.path.isfile(args.right) else None
        generator.depth_source = dict(type='StereoDepth', right_root=root, calibration=calibration, suffixes=suffixes)
    return name


def overlay_path(out_dir: str, image: str) -> str:
    return os.path.join(out_dir, f'{os.path.splitext(os.path.basename(image))[0]}.png')


def json_path(out_dir: str, image: str) -> str:
    return os.path.join(out_dir, f'{os.path.splitext(os.path.basename(image))[0]}.json')


def check_outputs(args: argparse.Namespace) -> None:
    """The output folder is writable and the outputs overwrite none of the inputs."""
    from cuts3d.utils.output_paths import check_writable_dir, refuse_inputs

    named = (('image', args.image), ('config', args.config), ('--depth', args.depth), ('--right', args.right))
    inputs = [(f'the {what} file', path) for what, path in named if path and os.path.isfile(path)]
    for output in (overlay_path(args.out_dir, args.image), json_path(args.out_dir, args.image)):
        refuse_inputs(output, '--out-dir', inputs)
    check_writable_dir(args.out_dir, f'--out-dir {args.out_dir}')


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Extract the image's pseudo-masks and write the overlay and the json; returns what to report."""
    from cuts3d.pseudo import build_checked_generator, extraction_options, load_tool_config
    from cuts3d.pseudo.coco_writer import annotation_from_instance, generator_info, image_entry, write_coco_json
    from cuts3d.pseudo.extraction_config import check_depth_source, depth_source_description
    from cuts3d.pseudo.runner import resize_instance
    from cuts3d.utils.image_io import fit_max_side, load_rgb
    from cuts3d.visualization import draw_instances, save_png
    from cuts3d.visualization.cut_decisions import describe_cut

    config = default_config(args)
    cfg = load_tool_config(config, args.cfg_options, 'pseudo_mask_generator')
    options = extraction_options(cfg)
    lookup_name = configure_depth(cfg, args)
    check_depth_source(cfg)
    image = load_rgb(args.image, min_side=options.get('min_side', 8))
    check_outputs(args)
    levels = options.get('sc_levels', 6)
    generator = build_checked_generator(cfg.pseudo_mask_generator, levels)
    height, width = image.shape[:2]
    work = fit_max_side(image, options.get('max_side', 4096), name=args.image)
    meta = {'img_path': os.path.abspath(args.image), 'rel_path': lookup_name, 'unique_stem': True,
            'unique_rel_stem': True}
    instances = generator(work, meta)
    if work is not image:
        instances = [resize_instance(instance, (height, width)) for instance in instances]
    instances = [instance for instance in instances if instance.mask.any()]
    annotations = [dict(annotation_from_instance(instance, levels), id=index + 1, image_id=1)
                   for index, instance in enumerate(instances)]
    write_coco_json(json_path(args.out_dir, args.image),
                    generator_info(cfg.pseudo_mask_generator, levels, description=f'cuts3d demo, config {config}'),
                    [image_entry(1, os.path.basename(args.image), width, height)], annotations)
    save_png(overlay_path(args.out_dir, args.image),
             draw_instances(image, [instance.mask for instance in instances],
                            scores=[instance.score for instance in instances]))
    return {'config': config, 'depth': depth_source_description(cfg), 'masks': len(instances),
            'cuts': [describe_cut(entry, generator) for entry in getattr(generator, 'cut_log', [])]}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from cuts3d.depth.stereo_calibration import CalibrationError
    from cuts3d.pseudo import GeneratorConfigError, ToolConfigError
    from cuts3d.utils.config_options import dict_merge_hint
    from cuts3d.utils.image_io import ImageLoadError
    from cuts3d.utils.output_paths import OutputPathError

    try:
        report = run(args)
    except GeneratorConfigError as error:
        print(f'{PROG}: error: {error}{dict_merge_hint(args.cfg_options, str(error))}', file=sys.stderr)
        return 2
    except (ToolConfigError, ImageLoadError, OutputPathError, CalibrationError, OSError, ValueError) as error:
        print(f'{PROG}: error: {type(error).__name__}: {" ".join(str(error).split())}', file=sys.stderr)
        return 2
    print(f'{PROG}: config {report["config"]}')
    print(f'{PROG}: depth: {report["depth"]}')
    for line in report['cuts']:
        print(f'    {line}')
    print(f'{PROG}: {report["masks"]} pseudo-mask(s) -> {overlay_path(args.out_dir, args.image)}, '
          f'{json_path(args.out_dir, args.image)}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
