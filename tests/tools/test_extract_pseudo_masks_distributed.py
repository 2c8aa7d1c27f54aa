"""tools/extract_pseudo_masks.py under torchrun: 2 ranks write the same file as 1 process."""
import importlib.util
import os
import subprocess
import sys

import numpy as np
from PIL import Image

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
TOOL = os.path.join(ROOT, 'tools', 'extract_pseudo_masks.py')
CUTLER = os.path.join(ROOT, 'configs', 'demo', 'extract_cutler_tiny.py')


def load_tool():
    spec = importlib.util.spec_from_file_location('extract_pseudo_masks', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_images(folder, count):
    rng = np.random.default_rng(1)
    folder.mkdir(parents=True)
    for i in range(count):
        image = np.zeros((64, 72, 3), np.uint8)
        image[:] = (40, 140, 50)
        y, x = rng.integers(4, 36, 2)
        image[y:y + 24, x:x + 24] = (220, 40, 30)
        Image.fromarray(image).save(folder / f'{i:03d}.png')
    (folder / 'broken.png').write_bytes(b'\x89PNG broken')


def test_two_ranks_write_the_same_file_as_one(tmp_path):
    images = tmp_path / 'imgs'
    write_images(images, 7)
    single = tmp_path / 'single.json'
    assert load_tool().main([CUTLER, '--images', str(images), '--out', str(single), '--no-progress']) == 0

    double = tmp_path / 'double.json'
    result = subprocess.run(
        [sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc-per-node', '2', TOOL, CUTLER,
         '--images', str(images), '--out', str(double), '--launcher', 'pytorch', '--no-progress'],
        capture_output=True, text=True, timeout=120, env={**os.environ, 'OMP_NUM_THREADS': '1'})
    assert result.returncode == 0, result.stderr[-3000:]
    assert double.read_bytes() == single.read_bytes()
    assert (tmp_path / 'double.failures.jsonl').read_text() == (tmp_path / 'single.failures.jsonl').read_text()
    parts = sorted(os.listdir(tmp_path / 'double.work' / 'parts'))
    assert parts == ['failures-rank00000.jsonl', 'failures-rank00001.jsonl', 'results-rank00000.jsonl',
                     'results-rank00001.jsonl']
    assert result.stdout.count('wrote 7 of 8 images') == 1  # only rank 0 reports
