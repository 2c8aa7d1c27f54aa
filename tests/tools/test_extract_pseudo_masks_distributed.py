"""tools/extract_pseudo_masks.py under torchrun: 2 pipelined ranks write the same file as 1 serial process."""
import os
import subprocess
import sys

from tool_modules import load_tool, write_square_images

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
TOOL = os.path.join(ROOT, 'tools', 'extract_pseudo_masks.py')
CUTLER = os.path.join(ROOT, 'configs', 'demo', 'extract_cutler_tiny.py')


def test_two_pipelined_ranks_write_the_file_of_one_serial_process(tmp_path):
    images = tmp_path / 'imgs'
    write_square_images(images, 7)
    single = tmp_path / 'single.json'
    assert load_tool('extract_pseudo_masks').main([CUTLER, '--images', str(images), '--out', str(single),
                                                   '--no-progress', '--cfg-options', 'extraction.pipeline=False']
                                                  ) == 3  # broken.png is listed as failed

    double = tmp_path / 'double.json'
    result = subprocess.run(
        [sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc-per-node', '2', TOOL, CUTLER,
         '--images', str(images), '--out', str(double), '--launcher', 'pytorch', '--no-progress',
         '--cfg-options', 'extraction.pipeline=True'],
        capture_output=True, text=True, timeout=120, env={**os.environ, 'OMP_NUM_THREADS': '1'})
    # rank 0 exits 3 (broken.png listed as failed); torchrun reports a rank's non-zero status as its own 1
    assert result.returncode == 1 and 'exitcode: 3' in result.stderr, result.stderr[-3000:]
    assert double.read_bytes() == single.read_bytes()
    assert (tmp_path / 'double.failures.jsonl').read_text() == (tmp_path / 'single.failures.jsonl').read_text()
    parts = sorted(os.listdir(tmp_path / 'double.work' / 'parts'))
    assert parts == ['failures-rank00000.jsonl', 'failures-rank00001.jsonl', 'results-rank00000.jsonl',
                     'results-rank00001.jsonl']
    assert result.stdout.count('wrote 7 of 8 images') == 1  # only rank 0 reports
