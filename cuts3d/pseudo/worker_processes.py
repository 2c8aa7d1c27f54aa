"""How the pipelined extraction starts its helper processes (image loaders, cut workers).

They are forked from a ``forkserver``: a clean process started once per run (before any network, thread or lock of
the main process exists in it), which imports the extraction modules once so that each worker starts in
milliseconds. Forked from the server, workers inherit neither the main process's open files (the work dir's
``flock`` must die with the run, or ``--resume`` after a kill would find the work dir busy) nor its threads. A
worker whose run dies (killed with ``SIGKILL``) exits by itself (:func:`exit_with_run`): its parent is the
forkserver, which itself only exits when all its children have, so neither can wait for the other.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
import time
from multiprocessing.context import BaseContext

START_METHOD = 'forkserver'
# Imported once in the forkserver; every worker starts with them loaded.
PRELOAD = ['cuts3d.pseudo.cut_pool', 'cuts3d.pseudo.image_loader', 'cuts3d.cutting', 'cuts3d.utils.image_io', 'cv2',
           'mmcv']
RUN_POLL_S = 0.5


def worker_context() -> BaseContext:
    """The multiprocessing context of every helper process (the forkserver, with :data:`PRELOAD`)."""
    context = multiprocessing.get_context(START_METHOD)
    context.set_forkserver_preload(PRELOAD)
    return context


def process_start(pid: int) -> str | None:
    """An id of the live process ``pid`` that a later process with the same pid does not share (its start time
    from ``/proc``), or None when no such process lives (a zombie counts as dead)."""
    try:
        with open(f'/proc/{pid}/stat', encoding='ascii') as handle:
            stat = handle.read()
    except OSError:
        return None
    fields = stat[stat.rindex(')') + 2:].split()  # after "pid (comm) ": state, ppid, ..., starttime (22nd field)
    return None if fields[0] in 'ZX' else fields[19]


def exit_with_run(run_pid: int, run_start: str | None) -> None:
    """Start a daemon thread that ends this process as soon as the run's main process ``run_pid`` (started at
    ``run_start``, :func:`process_start`) is gone."""

    def watch() -> None:
        while process_start(run_pid) == run_start:
            time.sleep(RUN_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, name='exit-with-run', daemon=True).start()


def limit_threads(threads: int) -> None:
    """At most ``threads`` threads for torch, BLAS and OpenMP in this process (a worker shares the cores)."""
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(threads)
    threadpool_limits(limits=threads)
