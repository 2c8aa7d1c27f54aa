"""cuts3d/visualization/cut_decisions.py: one sentence per cut, with the rule and its threshold."""
from types import SimpleNamespace

import pytest

from cuts3d.pseudo.maskcut_generator import DECISIONS
from cuts3d.visualization.cut_decisions import decision_counts, describe_cut

GENERATOR = SimpleNamespace(max_iou=0.5, min_area_frac=0.01, rest_iou=0.95)


@pytest.mark.parametrize('entry, expected', [
    ({'cut_index': 0, 'decision': 'kept', 'area_frac': 0.25}, 'cut 0: kept (the mask covers 25.0% of the patch grid)'),
    ({'cut_index': 1, 'decision': 'dropped_iou', 'iou_previous': 0.8},
     "cut 1: dropped: IoU 0.80 with the previous cut's mask is above max_iou 0.50"),
    ({'cut_index': 2, 'decision': 'dropped_small', 'area_frac': 0.004},
     'cut 2: dropped: too small, 0.4% of the patch grid is at most min_area_frac 1.0%'),
    ({'cut_index': 1, 'decision': 'dropped_claimed'}, 'cut 1: dropped: every patch of it belongs to an earlier mask'),
    ({'cut_index': 1, 'decision': 'stopped_rest', 'rest_iou': 0.97},
     'cut 1: stopped: the cut is the rest of the image (IoU 0.97 with the unclaimed patches, at least rest_iou 0.95)'),
    ({'cut_index': 2, 'decision': 'stopped_no_cut'}, 'cut 2: stopped: the cutter found nothing left to cut'),
    ({'cut_index': 0, 'decision': 'empty_after_crf'}, 'cut 0: dropped after refinement: the refiner (CRF) rejected'),
])
def test_each_decision_names_its_rule_and_numbers(entry, expected):
    assert describe_cut(entry, GENERATOR).startswith(expected)


def test_every_decision_of_the_generator_has_a_sentence():
    for decision in DECISIONS:
        assert describe_cut({'cut_index': 0, 'decision': decision}, GENERATOR) != f'cut 0: {decision}'


def test_counts_in_loop_order():
    entries = [{'decision': 'kept'}, {'decision': 'dropped_iou'}, {'decision': 'kept'}]
    assert decision_counts(entries) == 'kept 2, dropped_iou 1'
    assert decision_counts([]) == 'no cut'
