"""Sentences for what became of each cut of the pseudo-mask loop, for the visualize page.

The generator records a decision per cut (``cut_log``, :data:`cuts3d.pseudo.maskcut_generator.DECISIONS`) with the
numbers it was taken on; :func:`describe_cut` turns one entry into a line that names the rule and its threshold,
so a page can say why an image got fewer masks than cuts (the Middlebury aloe got none from MaskCut, silently).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _percent(fraction: Any) -> str:
    return f'{100 * float(fraction):.1f}%' if isinstance(fraction, (int, float)) else '?'


def _number(value: Any) -> str:
    return f'{float(value):.2f}' if isinstance(value, (int, float)) else '?'


def describe_cut(entry: Mapping[str, Any], generator: Any = None) -> str:
    """One line for one ``cut_log`` entry; thresholds (``max_iou``, ``min_area_frac``, ``rest_iou``) are read from
    ``generator`` when given."""
    decision = entry.get('decision', 'unknown')
    max_iou = getattr(generator, 'max_iou', None)
    min_area = getattr(generator, 'min_area_frac', None)
    rest_iou = getattr(generator, 'rest_iou', None)
    area = _percent(entry.get('area_frac'))
    texts = {
        'kept': f'kept (the mask covers {area} of the patch grid)',
        'dropped_iou': f'dropped: IoU {_number(entry.get("iou_previous"))} with the previous cut\'s mask is above '
                       f'max_iou {_number(max_iou)} (MaskCut\'s filter: the same object again)',
        'dropped_small': f'dropped: too small, {area} of the patch grid is at most min_area_frac '
                         f'{_percent(min_area)}',
        'dropped_claimed': 'dropped: every patch of it belongs to an earlier mask',
        'stopped_rest': f'stopped: the cut is the rest of the image (IoU {_number(entry.get("rest_iou"))} with the '
                        f'unclaimed patches, at least rest_iou {_number(rest_iou)}), so no further cut is tried',
        'stopped_no_cut': 'stopped: the cutter found nothing left to cut',
        'empty_after_crf': 'dropped after refinement: the refiner (CRF) rejected the mask (IoU with its input '
                           'below its min_iou) or left it empty',
    }
    return f'cut {entry.get("cut_index", "?")}: {texts.get(decision, decision)}'


def decision_counts(entries: list[Mapping[str, Any]]) -> str:
    """``'kept 2, dropped_iou 1'``: how many cuts got each decision, in loop order of first appearance."""
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry.get('decision', 'unknown')] = counts.get(entry.get('decision', 'unknown'), 0) + 1
    return ', '.join(f'{decision} {count}' for decision, count in counts.items()) or 'no cut'
