"""One extraction per work dir at a time: an exclusive ``flock`` on ``WORK_DIR/lock``.

Two runs on one work dir used to destroy each other (the second deleted the first's part files, and the first then
reported "wrote 0 of 100 images" with exit 0). The run holding the lock writes its pid, host and start time into
the file for the message the other run prints; a second run refuses at once rather than waiting, since it would
otherwise redo the same images. The kernel drops an ``flock`` when its process dies, so a run killed with
``SIGKILL`` leaves a file behind but no lock, and ``--resume`` takes it over. On network file systems ``flock`` is
only as reliable as the server's lock support (NFSv4 maps it to byte-range locks; some FUSE mounts ignore it).
"""
from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import time
from typing import IO

LOCK_FILE = 'lock'


class WorkDirLockedError(RuntimeError):
    """Another live process holds the work dir."""


class WorkDirLock:
    """Exclusive lock on ``work_dir`` for the lifetime of a run (context manager, or :meth:`acquire`/:meth:`release`).

    Raises :class:`WorkDirLockedError` naming the holder (pid, host, start time) when another process holds it.
    """

    def __init__(self, work_dir: str) -> None:
        self.path = os.path.join(work_dir, LOCK_FILE)
        self._handle: IO[str] | None = None

    def acquire(self) -> WorkDirLock:
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        handle = open(self.path, 'a+', encoding='utf-8')
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            if error.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            raise WorkDirLockedError(f'{os.path.dirname(self.path)} is in use by another extraction '
                                     f'({_describe(holder)}); wait for it to finish, or use another --work-dir'
                                     ) from error
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({'pid': os.getpid(), 'host': socket.gethostname(),
                                 'started': time.strftime('%Y-%m-%d %H:%M:%S')}) + '\n')
        handle.flush()
        self._handle = handle
        return self

    def release(self) -> None:
        """Drop the lock (the file stays: deleting it could race with a process that is opening it)."""
        if self._handle is not None:
            self._handle.close()  # closing the descriptor releases the flock
            self._handle = None

    def __enter__(self) -> WorkDirLock:
        return self.acquire()

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def _describe(holder: str) -> str:
    """``pid 123 on host, started ...`` from the lock file's text (or what could be read of it)."""
    try:
        info = json.loads(holder)
        return f'pid {info["pid"]} on {info["host"]}, started {info["started"]}'
    except (ValueError, KeyError, TypeError):
        return f'lock file says {holder!r}' if holder else 'no holder recorded yet'
