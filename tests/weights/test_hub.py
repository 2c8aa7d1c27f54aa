"""Hugging Face models by hub id or local directory (cuts3d/weights/hub.py), offline."""
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cuts3d.weights import CheckpointError, is_local_model, load_pretrained

ROOT = Path(__file__).resolve().parents[2]


def test_local_directories_and_hub_ids_are_told_apart(tmp_path):
    assert is_local_model(str(tmp_path)) and is_local_model('./models/zoe') and is_local_model('~/zoe')
    assert not is_local_model('Intel/zoedepth-nyu-kitti')
    with pytest.raises(CheckpointError, match='model directory not found'):
        load_pretrained(lambda source: source, './absent/model', 'ZoeDepth')
    with pytest.raises(CheckpointError, match='hub id or a local directory'):
        load_pretrained(lambda source: source, '', 'ZoeDepth')


def test_hub_ids_offline_load_from_the_cache_or_fail_in_one_line(tmp_path, tiny_depth_models):
    """HF_HUB_OFFLINE=1 (read when huggingface_hub is imported, hence a fresh interpreter): a hub id in the cache
    loads; one that is not fails with one line naming the id and how to place it by hand."""
    snapshot = tmp_path / 'hf' / 'hub' / 'models--cuts3d-test--tiny-dpt' / 'snapshots' / ('0' * 40)
    shutil.copytree(tiny_depth_models['DPTDepth'], snapshot)
    (snapshot.parents[1] / 'refs').mkdir()
    (snapshot.parents[1] / 'refs' / 'main').write_text('0' * 40)
    script = textwrap.dedent('''
        from cuts3d.depth import DPTDepth, ZoeDepth
        from cuts3d.weights import CheckpointError
        import numpy as np
        source = DPTDepth(model='cuts3d-test/tiny-dpt')
        print('cached id loads:', source(np.zeros((20, 30, 3), np.uint8), {}).shape)
        try:
            ZoeDepth()
        except CheckpointError as error:
            print('ERROR', error)
        ''')
    env = {**os.environ, 'HF_HUB_OFFLINE': '1', 'HF_HOME': str(tmp_path / 'hf'),
           'PYTHONPATH': os.pathsep.join([str(ROOT), os.environ.get('PYTHONPATH', '')])}
    env.pop('HF_HUB_CACHE', None)
    done = subprocess.run([sys.executable, '-c', script], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert 'cached id loads: (20, 30)' in lines
    error = next(line for line in lines if line.startswith('ERROR'))
    assert "cannot load hub id 'Intel/zoedepth-nyu-kitti' (HF_HUB_OFFLINE=1 and it is not in the hub cache" in error
    assert "snapshot_download('Intel/zoedepth-nyu-kitti', local_dir='DIR')" in error
