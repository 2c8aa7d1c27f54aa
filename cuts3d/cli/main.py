"""``cuts3d <command> ...``: the console entry point (``setup.cfg`` ``console_scripts``; ``python -m cuts3d``).

The table :data:`COMMANDS` names each subcommand's module under :mod:`cuts3d.cli`; only the chosen one is
imported, and each imports its libraries after parsing its arguments, so ``cuts3d --help`` and
``cuts3d <command> --help`` load no framework.
"""
from __future__ import annotations

import difflib
import importlib
import sys
from collections.abc import Sequence
from typing import NamedTuple


class Command(NamedTuple):
    module: str  # cuts3d.cli.<module>, which has main(argv) -> int
    tool: str  # the tools/ script that calls the same main
    summary: str


COMMANDS: dict[str, Command] = {
    'demo': Command('demo', 'tools/demo_image.py',
                    'one image in: an overlay PNG of its pseudo-masks and their json (offline backbone by default)'),
    'extract': Command('extract_pseudo_masks', 'tools/extract_pseudo_masks.py',
                       'pseudo-masks of an image folder into a COCO json (MaskCut / CutS3D, per the config)'),
    'visualize': Command('visualize', 'tools/visualize.py',
                         'an HTML page of every pseudo-mask stage for a few images, with why each cut was dropped'),
    'eval': Command('eval_pseudo_masks', 'tools/eval_pseudo_masks.py',
                    'class-agnostic COCO AP of a pseudo-mask json against ground truth'),
    'predict-depth': Command('predict_depth', 'tools/predict_depth.py',
                             'depth maps (16-bit PNG) for an image folder, once, for --depth'),
    'train': Command('train', 'tools/train.py', 'train the detector of a config with the MMEngine Runner'),
    'self-train': Command('self_train', 'tools/self_train.py',
                          'CutLER-style self-training rounds on the detector\'s own confident predictions'),
    'test': Command('test', 'tools/test.py', 'class-agnostic COCO evaluation of a trained detector'),
    'infer': Command('infer', 'tools/infer.py',
                     'a trained detector on plain photos (no ground truth): COCO results json and overlays'),
    'cluster': Command('cluster_pseudo_masks', 'tools/cluster_pseudo_masks.py',
                       'U2Seg: cluster pseudo-masks into pseudo classes'),
    'panoptic': Command('make_panoptic_pseudo_labels', 'tools/make_panoptic_pseudo_labels.py',
                        'U2Seg: panoptic pseudo-labels from clustered pseudo-masks'),
    'synthetic-scenes': Command('make_synthetic_scenes', 'tools/make_synthetic_scenes.py',
                                'render synthetic scenes with depth and instance ground truth'),
    'sample-demo': Command('sample_demo', 'tools/demo.py',
                           'the whole method on the embedded sample data, with a report (what `make demo` runs)'),
}


def usage() -> str:
    """The text of ``cuts3d --help``."""
    width = max(map(len, COMMANDS))
    lines = ['usage: cuts3d <command> [options]   (cuts3d <command> --help for its options)', '',
             'Unsupervised instance segmentation by cutting semantics in 3D (CutS3D, CutLER and neighbours).', '',
             'commands:']
    lines += [f'  {name:<{width}}  {command.summary}' for name, command in COMMANDS.items()]
    lines += ['', 'Each command is also a script: python tools/<script>.py (inside the venv), e.g. for torchrun.']
    return '\n'.join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``cuts3d <command> ARGS``; returns the command's exit status (2 for an unknown command)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ('-h', '--help'):
        print(usage())
        return 0 if argv else 2
    if argv[0] == '--version':
        from cuts3d.version import __version__

        print(f'cuts3d {__version__}')
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        close = difflib.get_close_matches(name, COMMANDS, n=1)
        hint = f'; did you mean {close[0]!r}?' if close else f'; commands: {", ".join(COMMANDS)}'
        print(f'cuts3d: error: unknown command {name!r}{hint}', file=sys.stderr)
        return 2
    module = importlib.import_module(f'cuts3d.cli.{COMMANDS[name].module}')
    return module.main(rest)


if __name__ == '__main__':
    sys.exit(main())
