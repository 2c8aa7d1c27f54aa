"""Helper processes of the pipelined extraction exit when their run dies, even while their parent lives."""
import os
import subprocess
import sys
import time

from cuts3d.pseudo.worker_processes import process_start


def test_process_start_tells_a_live_process_from_a_zombie():
    assert process_start(os.getpid()) is not None
    child = subprocess.Popen([sys.executable, '-c', 'pass'])
    deadline = time.monotonic() + 30
    while process_start(child.pid) is not None and time.monotonic() < deadline:
        time.sleep(0.05)  # exited but not yet reaped: a zombie
    assert process_start(child.pid) is None
    child.wait()


def test_a_worker_exits_when_its_run_is_killed():
    run = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])
    watcher = subprocess.Popen([sys.executable, '-c', (
        'import time\nfrom cuts3d.pseudo.worker_processes import exit_with_run\n'
        f'exit_with_run({run.pid}, {process_start(run.pid)!r})\ntime.sleep(120)')])
    try:
        time.sleep(1.0)
        assert watcher.poll() is None
        run.kill()  # not reaped yet: a zombie is dead too
        assert watcher.wait(timeout=30) == 1
    finally:
        for process in (run, watcher):
            process.kill()
            process.wait()
