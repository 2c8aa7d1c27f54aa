"""Fixtures shared across the test tree: folders that cannot be written (read-only, full)."""
import os
import shutil
import subprocess

import pytest


def _mount_tmpfs(folder, options: str) -> bool:
    """Mount a tmpfs with ``options`` on ``folder``; False where that is not allowed (not root, no mount)."""
    if os.geteuid() != 0 or shutil.which('mount') is None:
        return False
    result = subprocess.run(['mount', '-t', 'tmpfs', '-o', options, 'tmpfs', str(folder)], capture_output=True)
    return result.returncode == 0


def _unmount(folder) -> None:
    subprocess.run(['umount', str(folder)], capture_output=True, check=True)


@pytest.fixture
def read_only_dir(tmp_path):
    """A folder no one can write in: mode 555 for a normal user, a read-only tmpfs for root (root ignores modes)."""
    folder = tmp_path / 'read_only'
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
    elif _mount_tmpfs(folder, 'ro,size=64k'):
        yield folder
        _unmount(folder)
    else:
        pytest.skip('running as root without permission to mount a read-only tmpfs')


@pytest.fixture
def small_disk(tmp_path):
    """A 64 KiB tmpfs (root only), to fill up for "No space left on device"."""
    folder = tmp_path / 'small_disk'
    folder.mkdir()
    if not _mount_tmpfs(folder, 'size=64k'):
        pytest.skip('no permission to mount a small tmpfs')
    yield folder
    _unmount(folder)
