"""One run per work dir: a second lock is refused naming the holder; a SIGKILLed holder leaves no lock."""
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from cuts3d.pseudo.work_dir_lock import LOCK_FILE, WorkDirLock, WorkDirLockedError

MODULE = str(Path(__file__).resolve().parents[2] / 'cuts3d' / 'pseudo' / 'work_dir_lock.py')


def test_a_second_lock_is_refused_until_the_first_is_released(tmp_path):
    with WorkDirLock(str(tmp_path / 'work')):
        with pytest.raises(WorkDirLockedError, match=rf'in use by another extraction \(pid {os.getpid()} on '):
            WorkDirLock(str(tmp_path / 'work')).acquire()
    with WorkDirLock(str(tmp_path / 'work')):
        pass


def test_the_lock_of_a_killed_process_is_free(tmp_path):
    work = tmp_path / 'work'
    # the module alone (it imports nothing of cuts3d), so the holder starts in well under a second
    holder = subprocess.Popen([sys.executable, '-c', textwrap.dedent(f"""
        import importlib.util, time
        spec = importlib.util.spec_from_file_location('work_dir_lock', {MODULE!r})
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        lock = module.WorkDirLock({str(work)!r}).acquire()
        print('locked', flush=True)
        time.sleep(60)
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == 'locked'
        with pytest.raises(WorkDirLockedError, match=f'pid {holder.pid} '):
            WorkDirLock(str(work)).acquire()
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
        holder.stdout.close()
    assert (work / LOCK_FILE).exists()  # the file stays, the lock does not
    deadline = time.monotonic() + 5
    lock = WorkDirLock(str(work))
    while True:
        try:
            lock.acquire()
            break
        except WorkDirLockedError:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    lock.release()
