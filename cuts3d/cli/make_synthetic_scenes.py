"""Render deterministic synthetic scenes (RGB PNG, depth .npy, COCO instance json) for demos and tests.

    cuts3d synthetic-scenes --out work_dirs/synthetic --num 16 --seed 0 --size 256

(``python tools/make_synthetic_scenes.py`` runs the same code.) It writes ``OUT/images/scene_XXXX.png``,
``OUT/depth/scene_XXXX.npy`` (float32 in [0, 1], larger = farther; use it with ``--depth OUT/depth``) and
``OUT/annotations.json``. The scene kinds are described in :mod:`cuts3d.utils.synthetic_images`; the same arguments
always give byte-identical files.

Exit status: 0 when the scenes were written; 2 with one line on bad arguments or an unwritable ``--out``.
"""
from __future__ import annotations

import argparse
import sys

from .arguments import parser_for

PROG = 'cuts3d synthetic-scenes'
# cuts3d.utils.synthetic_images.SCENE_KINDS (a test keeps them equal).
SCENE_KINDS = ('same_appearance_overlap', 'distinct_separated', 'mixed')


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = parser_for(PROG, __doc__.splitlines()[0])
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--num', type=int, default=8, help='number of scenes')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--size', type=int, default=256, help='image side in pixels (>= 64)')
    parser.add_argument('--kinds', nargs='+', default=list(SCENE_KINDS), choices=SCENE_KINDS,
                        help='scene kinds, used in turn (scene i gets kinds[i %% len(kinds)])')
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from cuts3d.utils.synthetic_images import write_synthetic_dataset

    try:
        path = write_synthetic_dataset(args.out, args.num, seed=args.seed, size=args.size, kinds=tuple(args.kinds))
    except (ValueError, OSError) as error:
        print(f'{PROG}: error: {error}', file=sys.stderr)
        return 2
    print(f'wrote {args.num} scenes to {args.out} (annotations: {path})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
