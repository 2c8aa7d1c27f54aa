"""The checkpoint policy of cuts3d/engine/checkpoint.py: mmengine loads its own files and URLs weights-only."""
import collections
import io

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner.checkpoint import _load_checkpoint, save_checkpoint

import cuts3d.engine  # noqa: F401  (installs the policy)
from cuts3d.weights import CheckpointError


class Opaque:
    """Any class outside the allow-list: a checkpoint pickling it could run code when loaded."""


def test_mmengine_checkpoint_with_message_hub_round_trips(tmp_path):
    hub = MessageHub.get_instance('cuts3d_checkpoint_test')
    for loss in (1.0, 0.5, 0.25):
        hub.update_scalar('train/loss', loss)
    hub.update_info('iter', 3)
    ckpt = {'meta': {'iter': 3, 'seed': np.int64(7), 'time': 'now'},
            'state_dict': collections.OrderedDict(w=torch.ones(2, 2)),
            'message_hub': hub.state_dict()}
    path = tmp_path / 'iter_3.pth'
    save_checkpoint(ckpt, str(path))
    loaded = _load_checkpoint(str(path), map_location='cpu')
    assert torch.equal(loaded['state_dict']['w'], torch.ones(2, 2))
    buffer = loaded['message_hub']['log_scalars']['train/loss']
    assert isinstance(buffer, HistoryBuffer)
    assert buffer.mean() == pytest.approx(np.mean([1.0, 0.5, 0.25]))


def test_history_buffer_loads_before_any_buffer_exists(tmp_path, monkeypatch):
    hub = MessageHub.get_instance('cuts3d_checkpoint_fresh')
    hub.update_scalar('train/loss', 2.0)
    path = tmp_path / 'iter_1.pth'
    save_checkpoint({'message_hub': hub.state_dict()}, str(path))
    monkeypatch.setattr(HistoryBuffer, '_statistics_methods', {})  # as in a process that made no buffer yet
    loaded = _load_checkpoint(str(path), map_location='cpu')
    assert loaded['message_hub']['log_scalars']['train/loss'].current() == 2.0


def test_mmengine_loader_still_refuses_unknown_objects(tmp_path):
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'payload': Opaque()}, path)
    with pytest.raises(Exception, match='Unsupported global|weights_only'):
        _load_checkpoint(str(path), map_location='cpu')


def test_mmengine_loads_a_url_through_the_cuts3d_cache_weights_only(weights_server, tmp_path, monkeypatch):
    """A URL in load_from or a Pretrained init_cfg: downloaded once into $CUTS3D_CACHE, unpickled weights-only."""
    monkeypatch.setenv('CUTS3D_CACHE', str(tmp_path / 'cache'))
    buffer = io.BytesIO()
    torch.save({'state_dict': {'w': torch.ones(2)}, 'meta': {'epoch': 1}}, buffer)
    url = weights_server.add('mmdet/model.pth', buffer.getvalue())
    for _ in range(2):
        assert torch.equal(_load_checkpoint(url, map_location='cpu')['state_dict']['w'], torch.ones(2))
    assert weights_server.requests == ['/mmdet/model.pth']
    assert (tmp_path / 'cache' / 'checkpoints' / 'model.pth').is_file()
    buffer = io.BytesIO()
    torch.save({'state_dict': {}, 'payload': Opaque()}, buffer)
    evil = weights_server.add('evil.pth', buffer.getvalue())
    with pytest.raises(CheckpointError, match='Unsupported global'):
        _load_checkpoint(evil, map_location='cpu')
