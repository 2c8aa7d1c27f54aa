"""SoftTargetLoss: CuVLER's [score, 1 - score] classification targets."""
import math

import pytest
import torch
import torch.nn.functional as F

from cuts3d.models.losses import SoftTargetLoss
from cuts3d.registry import MODELS


def log_softmax(row):
    norm = math.log(sum(math.exp(v) for v in row))
    return [v - norm for v in row]


def test_loss_matches_a_hand_computation():
    logits = [[1.0, -0.5], [0.2, 0.3], [-1.0, 2.0]]
    labels = torch.tensor([0, 0, 1])  # two foreground RoIs, one background (index C = 1)
    scores = torch.tensor([0.8, 0.3, 0.0])
    loss = SoftTargetLoss(loss_weight=1.5)(torch.tensor(logits), labels, scores=scores)
    targets = [[0.8, 0.2], [0.3, 0.7], [0.0, 1.0]]
    by_hand = sum(-sum(t * lp for t, lp in zip(target, log_softmax(row))) for target, row in zip(targets, logits)) / 3
    assert loss.item() == pytest.approx(1.5 * by_hand, rel=1e-6)


def test_multi_class_targets_put_the_score_on_the_label():
    logits = torch.tensor([[0.1, 0.4, -0.2, 0.0]])
    loss = SoftTargetLoss()(logits, torch.tensor([2]), scores=torch.tensor([0.6]))
    expected = -(0.6 * F.log_softmax(logits, 1)[0, 2] + 0.4 * F.log_softmax(logits, 1)[0, 3])
    torch.testing.assert_close(loss, expected)


def test_score_one_is_the_hard_cross_entropy():
    torch.manual_seed(0)
    logits, labels = torch.randn(6, 2), torch.tensor([0, 1, 0, 1, 1, 0])
    torch.testing.assert_close(SoftTargetLoss()(logits, labels, scores=torch.ones(6)), F.cross_entropy(logits, labels))


def test_weights_and_avg_factor_as_in_mmdet():
    torch.manual_seed(1)
    logits, labels, scores = torch.randn(4, 2), torch.tensor([0, 0, 1, 1]), torch.tensor([0.5, 0.9, 0.0, 0.0])
    weight = torch.tensor([1.0, 0.0, 1.0, 1.0])  # e.g. DropLoss zeroing a RoI
    per_roi = SoftTargetLoss(reduction='none')(logits, labels, scores=scores)
    loss = SoftTargetLoss()(logits, labels, weight, avg_factor=3.0, scores=scores)
    torch.testing.assert_close(loss, (per_roi * weight).sum() / 3.0)


@pytest.mark.parametrize('scores, message', [
    (None, 'needs scores='), (torch.ones(3), 'one value per RoI'), (torch.tensor([1.2, 0.5]), r'\[0, 1\]'),
])
def test_bad_scores_are_rejected(scores, message):
    with pytest.raises(ValueError, match=message):
        SoftTargetLoss()(torch.zeros(2, 2), torch.tensor([0, 0]), scores=scores)


def test_background_scores_are_ignored():
    logits = torch.tensor([[0.3, -0.3]])
    assert SoftTargetLoss()(logits, torch.tensor([1]), scores=torch.tensor([7.0])).item() == pytest.approx(
        F.cross_entropy(logits, torch.tensor([1])).item())


def test_builds_from_the_registry():
    assert isinstance(MODELS.build(dict(type='SoftTargetLoss')), SoftTargetLoss)
