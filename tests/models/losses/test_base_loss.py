"""BaseLoss: the project's losses keep loss_weight and reduction, and reject an unknown reduction."""
import pytest

from cuts3d.models.losses import BaseLoss, SoftTargetLoss, SpatialConfidenceMaskLoss


@pytest.mark.parametrize('loss_type', [BaseLoss, SoftTargetLoss, SpatialConfidenceMaskLoss])
def test_arguments_are_kept(loss_type):
    loss = loss_type(loss_weight=0.5, reduction='sum')
    assert (loss.loss_weight, loss.reduction) == (0.5, 'sum')


@pytest.mark.parametrize('loss_type', [BaseLoss, SoftTargetLoss, SpatialConfidenceMaskLoss])
def test_unknown_reduction_is_rejected(loss_type):
    with pytest.raises(ValueError, match="reduction must be 'mean', 'sum' or 'none'; got 'avg'"):
        loss_type(reduction='avg')
