"""Third-party weights from a local path (cuts3d/weights/foreign.py): tensors only, pickled objects refused."""
import pytest
import torch

from cuts3d.weights import CheckpointError, load_foreign_weights


class Opaque:
    """Any class outside the allow-list: a checkpoint pickling it could run code when loaded."""


def test_foreign_weights_load_tensors(tmp_path):
    path = tmp_path / 'backbone.pth'
    torch.save({'model': {'blocks.0.attn.qkv.weight': torch.zeros(3, 3)}, 'epoch': 1}, path)
    assert load_foreign_weights(str(path))['model']['blocks.0.attn.qkv.weight'].shape == (3, 3)


def test_foreign_checkpoint_with_pickled_object_is_refused(tmp_path):
    path = tmp_path / 'foreign.pth'
    torch.save({'model': {}, 'args': Opaque()}, path)
    with pytest.raises(CheckpointError, match='pickled Python objects'):
        load_foreign_weights(str(path))


def test_missing_or_corrupt_foreign_checkpoint(tmp_path):
    with pytest.raises(CheckpointError, match='not found'):
        load_foreign_weights(str(tmp_path / 'absent.pth'))
    corrupt = tmp_path / 'corrupt.pth'
    corrupt.write_bytes(b'not a checkpoint')
    with pytest.raises(CheckpointError):
        load_foreign_weights(str(corrupt))


def test_a_text_file_named_pth_is_not_reported_as_pickled_objects(tmp_path):
    for text in ('hello world\n', 'abc\n', '<html>\n'):  # torch.load: KeyError, IndexError, "Weights only load failed"
        path = tmp_path / 'weights.pth'
        path.write_text(text)
        with pytest.raises(CheckpointError, match=r'weights.pth is (a text file|an HTML page)') as error:
            load_foreign_weights(str(path))
        assert 'pickled' not in str(error.value)
