"""Weights by URL (cuts3d/weights/download.py, cache.py, foreign.py) against a loopback HTTP server."""
import hashlib
import io
import os

import pytest
import torch

from cuts3d.weights import CheckpointError, cached_path, load_foreign_weights


def checkpoint_bytes(**tensors) -> bytes:
    buffer = io.BytesIO()
    torch.save(tensors or {'w': torch.arange(6.0).reshape(2, 3)}, buffer)
    return buffer.getvalue()


def cache_files(cache: str) -> list[str]:
    folder = os.path.join(cache, 'checkpoints')
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def test_first_build_downloads_and_the_second_reads_the_cache(weights_server, weights_cache):
    url = weights_server.add('dino/dino_vitbase8_pretrain.pth', checkpoint_bytes())
    first = load_foreign_weights(url)
    assert torch.equal(first['w'], torch.arange(6.0).reshape(2, 3))
    assert cache_files(weights_cache) == ['dino_vitbase8_pretrain.pth']
    second = load_foreign_weights(url)
    assert torch.equal(second['w'], first['w'])
    assert weights_server.requests == ['/dino/dino_vitbase8_pretrain.pth']  # one request for two builds


def test_hash_prefix_in_the_file_name_is_checked(weights_server, weights_cache):
    body = checkpoint_bytes()
    digest = hashlib.sha256(body).hexdigest()
    good = weights_server.add(f'release/model-{digest[:8]}.pth', body)
    assert 'w' in load_foreign_weights(good)
    bad = weights_server.add('release/other-0badc0de.pth', body)
    with pytest.raises(CheckpointError, match=r'does not match 0badc0de from the hash prefix in the file name'):
        load_foreign_weights(bad)
    assert cache_files(weights_cache) == [f'model-{digest[:8]}.pth']


def test_configured_sha256_is_checked_and_a_mismatch_is_never_cached(weights_server, weights_cache):
    body = checkpoint_bytes()
    url = weights_server.add('weights.pth', body)
    with pytest.raises(CheckpointError) as error:
        load_foreign_weights(f'{url}#sha256={"0" * 64}')
    assert 'refused, nothing was cached' in str(error.value) and '\n' not in str(error.value)
    assert cache_files(weights_cache) == []  # no file, no partial file
    assert 'w' in load_foreign_weights(f'{url}#sha256={hashlib.sha256(body).hexdigest()}')
    with pytest.raises(CheckpointError, match='#sha256=<8 to 64 hex digits>'):
        load_foreign_weights(f'{url}#md5=abc')


def test_truncated_download_is_refused_and_not_cached(weights_server, weights_cache):
    url = weights_server.add('big.pth', checkpoint_bytes(w=torch.zeros(1000)))
    weights_server.truncate.add('/big.pth')
    with pytest.raises(CheckpointError, match=r'truncated, \d+ of \d+ bytes arrived'):
        load_foreign_weights(url)
    assert cache_files(weights_cache) == []


def test_corrupt_download_is_refused_and_not_cached(weights_server, weights_cache):
    url = weights_server.add('corrupt.pth', b'<html>not a checkpoint</html>')
    with pytest.raises(CheckpointError, match=r'download of .*corrupt.pth refused.*is an HTML page'):
        load_foreign_weights(url)
    assert cache_files(weights_cache) == []


class Opaque:
    """A class outside every allow-list."""


def test_download_holding_pickled_objects_is_refused_and_not_cached(weights_server, weights_cache):
    buffer = io.BytesIO()
    torch.save({'w': torch.zeros(1), 'payload': Opaque()}, buffer)
    url = weights_server.add('evil.pth', buffer.getvalue())
    with pytest.raises(CheckpointError, match='pickled Python objects'):
        load_foreign_weights(url)
    assert cache_files(weights_cache) == []


def test_unreachable_url_names_the_file_and_where_to_place_it(closed_port, weights_cache):
    url = f'http://127.0.0.1:{closed_port}/dino/dino_vitbase8_pretrain.pth'
    with pytest.raises(CheckpointError) as error:
        load_foreign_weights(url)
    message = str(error.value)
    assert message.startswith(f'cannot download {url}') and '\n' not in message
    assert f'place it at {os.path.join(weights_cache, "checkpoints", "dino_vitbase8_pretrain.pth")}' in message


def test_missing_file_on_the_server_is_a_one_line_error(weights_server):
    with pytest.raises(CheckpointError, match='cannot download .*absent.pth: Not Found'):
        load_foreign_weights(f'{weights_server.base}/absent.pth')


def test_a_file_placed_in_the_cache_by_hand_is_used_offline(closed_port, weights_cache):
    url = 'https://dl.fbaipublicfiles.com/dino/dino_vitbase8_pretrain/dino_vitbase8_pretrain.pth'
    os.makedirs(os.path.dirname(cached_path(url)))
    with open(cached_path(url), 'wb') as handle:
        handle.write(checkpoint_bytes())
    assert 'w' in load_foreign_weights(url)


def test_a_cached_file_that_mismatches_its_hash_is_refused(weights_cache):
    url = 'https://github.com/isl-org/DPT/releases/download/1_0/dpt_hybrid-midas-501f0c75.pt'
    os.makedirs(os.path.dirname(cached_path(url)))
    with open(cached_path(url), 'wb') as handle:
        handle.write(checkpoint_bytes())
    with pytest.raises(CheckpointError,
                       match=r'cached .*delete it to download it again\): sha256 .* does not match 501f0c75'):
        load_foreign_weights(url)


def test_http_mirror_serves_official_urls_by_host_and_path(weights_server, weights_cache, monkeypatch):
    weights_server.add('dl.fbaipublicfiles.com/mae/pretrain/mae_pretrain_vit_base.pth', checkpoint_bytes())
    monkeypatch.setenv('CUTS3D_WEIGHTS_MIRROR', weights_server.base + '/')
    assert 'w' in load_foreign_weights('https://dl.fbaipublicfiles.com/mae/pretrain/mae_pretrain_vit_base.pth')
    assert weights_server.requests == ['/dl.fbaipublicfiles.com/mae/pretrain/mae_pretrain_vit_base.pth']
    assert cache_files(weights_cache) == ['mae_pretrain_vit_base.pth']


def test_folder_mirror_is_read_in_place(tmp_path, weights_cache, monkeypatch):
    mirror = tmp_path / 'mirror'
    target = mirror / 'dl.fbaipublicfiles.com' / 'dinov2' / 'dinov2_vits14' / 'dinov2_vits14_pretrain.pth'
    target.parent.mkdir(parents=True)
    target.write_bytes(checkpoint_bytes())
    monkeypatch.setenv('CUTS3D_WEIGHTS_MIRROR', str(mirror))
    assert 'w' in load_foreign_weights(
        'https://dl.fbaipublicfiles.com/dinov2/dinov2_vits14/dinov2_vits14_pretrain.pth')
    assert cache_files(weights_cache) == []
    with pytest.raises(CheckpointError, match='not in the mirror folder'):
        load_foreign_weights('https://dl.fbaipublicfiles.com/dinov2/dinov2_vitb14/dinov2_vitb14_pretrain.pth')
