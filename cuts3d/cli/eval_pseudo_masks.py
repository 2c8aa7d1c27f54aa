"""Evaluate a raw pseudo-mask file against COCO-format ground truth, class-agnostically.

    cuts3d eval PSEUDO.json GT.json [--score-key score|none] [--iou-types bbox segm] [--out METRICS.json]

(``python tools/eval_pseudo_masks.py`` runs the same code.) Every pseudo-mask is a detection scored by its
``score`` (mean Spatial Confidence; ``--score-key none``: 1); the ground truth's categories are merged into one.
Prints AP, AP50, AP75, AP_s/m/l and AR_1/10/100, AR_s/m/l in percent for boxes and masks.

Both files are validated before anything is computed (:mod:`cuts3d.evaluation.coco_validation`): a negative or
non-finite box, an ``image_id`` or ``category_id`` that is not in the file, an RLE whose ``size`` is not its
image's or whose ``counts`` do not decode to it, a NaN score, duplicate ids.

Exit status: 0 when the metrics were printed (and written); 2 with one line naming the file, the annotation and
the problem on bad input (nothing is evaluated).
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from .arguments import parser_for

PROG = 'cuts3d eval'
# cuts3d.evaluation.pseudo_mask_eval.IOU_TYPES and SCORE_KEYS (a test keeps them equal).
IOU_TYPES = ('bbox', 'segm')
SCORE_KEYS = ('score', 'none')


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = parser_for(PROG, 'Class-agnostic COCO AP of a pseudo-mask file.')
    parser.add_argument('pseudo', help='pseudo-mask COCO json (from cuts3d extract)')
    parser.add_argument('gt', help='ground-truth COCO instances json')
    parser.add_argument('--score-key', choices=SCORE_KEYS, default='score',
                        help='detection score: the annotation\'s "score", or 1 for every mask ("none")')
    parser.add_argument('--iou-types', nargs='+', choices=IOU_TYPES, default=list(IOU_TYPES))
    parser.add_argument('--out', help='also write the metrics to this json')
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from cuts3d.evaluation import CocoFileError, EvaluationInputError, evaluate_pseudo_masks, format_table
    from cuts3d.pseudo import PseudoMaskFileError, load_pseudo_masks
    from cuts3d.utils.output_paths import OutputPathError, check_writable_file, refuse_inputs

    try:
        if not os.path.isfile(args.gt):
            raise EvaluationInputError(f'ground truth {args.gt} does not exist')
        if args.out:
            refuse_inputs(args.out, '--out', [('the pseudo-mask file', args.pseudo), ('the ground truth', args.gt)])
            check_writable_file(args.out, '--out')
        pseudo = load_pseudo_masks(args.pseudo)
        results = evaluate_pseudo_masks(pseudo, args.gt, score_key=args.score_key, iou_types=tuple(args.iou_types),
                                        pseudo_path=args.pseudo)
    except (PseudoMaskFileError, EvaluationInputError, CocoFileError, OutputPathError) as error:
        print(f'{PROG}: error: {type(error).__name__}: {error}', file=sys.stderr)
        return 2
    print(f'{results["detections"]} pseudo-masks on {results["images_evaluated"]} ground-truth images '
          f'({results["pseudo_images_not_in_gt"]} pseudo-mask images not in the ground truth)')
    print(format_table(results))
    if args.out:
        with open(args.out, 'w', encoding='utf-8') as handle:
            json.dump(results, handle, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
