"""tools/extract_pseudo_masks.py killed with SIGKILL mid-run (pipelined, its workers busy), then --resume: the same
file as an uninterrupted serial run."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import psutil

from tool_modules import load_tool, write_square_images

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
TOOL = os.path.join(ROOT, 'tools', 'extract_pseudo_masks.py')
CUTLER = os.path.join(ROOT, 'configs', 'demo', 'extract_cutler_tiny.py')


def test_killed_run_resumes_to_the_same_file(tmp_path, monkeypatch):
    images = tmp_path / 'imgs'
    write_square_images(images, 8)
    plugin = tmp_path / 'plugins' / 'slow_depth_for_test.py'
    plugin.parent.mkdir()
    plugin.write_text(textwrap.dedent("""
        import time
        import numpy as np
        from cuts3d.registry import DEPTH_SOURCES

        @DEPTH_SOURCES.register_module(force=True)
        class SlowDepthForTest:
            '''Constant depth, slowly: leaves time to kill the run in the middle.'''
            def __call__(self, image, meta):
                time.sleep(0.25)
                return np.full(image.shape[:2], 0.5, np.float32)
        """))
    config = tmp_path / 'slow.py'
    config.write_text(textwrap.dedent(f"""
        _base_ = ['{CUTLER}']
        custom_imports = dict(imports=['slow_depth_for_test'], allow_failed_imports=False)
        pseudo_mask_generator = dict(depth_source=dict(_delete_=True, type='SlowDepthForTest'))
        """))
    monkeypatch.syspath_prepend(str(plugin.parent))
    reference = tmp_path / 'reference.json'
    # broken.png fails (exit 3: written, with a failure listed)
    assert load_tool('extract_pseudo_masks').main([str(config), '--images', str(images), '--out', str(reference),
                                                   '--no-progress', '--cfg-options', 'extraction.pipeline=False']) == 3

    out = tmp_path / 'out.json'
    command = [sys.executable, TOOL, str(config), '--images', str(images), '--out', str(out), '--no-progress',
               '--cfg-options', 'extraction.pipeline=True']
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join([str(plugin.parent), os.environ.get('PYTHONPATH', '')])}
    part = tmp_path / 'out.work' / 'parts' / 'results-rank00000.jsonl'
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        if part.exists() and part.read_bytes().count(b'\n') >= 3:
            break
        time.sleep(0.05)
    assert process.poll() is None, 'the run finished before it could be killed'
    helpers = psutil.Process(process.pid).children(recursive=True)  # forkserver, image loader, cut worker
    assert len(helpers) >= 3
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    process.stderr.close()
    _, alive = psutil.wait_procs(helpers, timeout=30)
    assert not alive, 'helper processes outlived the killed run'
    done = part.read_bytes().count(b'\n')
    assert 3 <= done < 8 and not out.exists()

    resumed = subprocess.run(command + ['--resume'], env=env, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 3, resumed.stderr[-3000:]
    assert out.read_bytes() == reference.read_bytes()
    assert f'skipped {done} already done' in resumed.stdout
    records = [json.loads(line)['index'] for line in part.read_text().splitlines()]
    assert sorted(records) == sorted(set(records)) and len(records) == 8
