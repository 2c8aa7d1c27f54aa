"""A checkpoint must be readable and fit the model: nothing matching, or weights left initial, is an error."""
import pytest
import torch
from torch import nn

from cuts3d.weights import CheckpointError
from cuts3d.engine.checkpoint_coverage import check_checkpoint_fits, read_state_dict


def tiny_model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Linear(4, 2))


def test_a_full_checkpoint_fits_also_with_module_prefixes_and_meta(tmp_path):
    model = tiny_model()
    path = tmp_path / 'full.pth'
    torch.save({'meta': {'epoch': 1}, 'state_dict': {f'module.{k}': v for k, v in model.state_dict().items()}}, path)
    assert check_checkpoint_fits(model, str(path)) is None
    assert set(read_state_dict(str(path))) == set(model.state_dict())


def test_a_checkpoint_of_another_model_matches_nothing(tmp_path):
    path = tmp_path / 'other.pth'
    torch.save({'state_dict': {'backbone.stem.weight': torch.zeros(1)}}, path)
    with pytest.raises(CheckpointError, match=r'matches none of the model\'s 9 weights .*backbone.stem.weight'):
        check_checkpoint_fits(tiny_model(), str(path))


def test_a_partial_checkpoint_fails_unless_allowed(tmp_path):
    model = tiny_model()
    state = model.state_dict()
    del state['2.bias']
    state['0.weight'] = torch.zeros(1, 3, 3, 3)  # wrong shape
    path = tmp_path / 'partial.pth'
    torch.save(state, path)
    with pytest.raises(CheckpointError, match=r'lacks 1 and has a wrong shape for 1 .*\(2.bias, 0.weight\).*'
                                              '--allow-partial'):
        check_checkpoint_fits(model, str(path))
    assert 'initial values (--allow-partial)' in check_checkpoint_fits(model, str(path), allow_partial=True)


@pytest.mark.parametrize('content, message', [(b'hello\n', 'is a text file'), (b'', 'is empty'),
                                              (b'PK\x03\x04 truncated zip', 'cannot be read')])
def test_unreadable_files_are_one_line(tmp_path, content, message):
    path = tmp_path / 'bad.pth'
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match=message) as error:
        check_checkpoint_fits(tiny_model(), str(path))
    assert '\n' not in str(error.value)
