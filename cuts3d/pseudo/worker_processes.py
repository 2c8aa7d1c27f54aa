"""How the pipelined extraction starts its helper processes (image loaders, cut workers).

They are forked from a ``forkserver``: a clean process started once per run (before any network, thread or lock of
the main process exists in it), which imports the extraction modules once so that each worker starts in
milliseconds. Forked from the server, workers inherit neither the main process's open files (the work dir's
``flock`` must die with the run, or ``--resume`` after a kill would find the work dir busy) nor its threads. A
worker whose parent dies (the run was killed) exits by itself (:func:`exit_with_parent`).
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
PARENT_POLL_S = 0.5


def worker_context() -> BaseContext:
    """The multiprocessing context of every helper process (the forkserver, with :data:`PRELOAD`)."""
    context = multiprocessing.get_context(START_METHOD)
    context.set_forkserver_preload(PRELOAD)
    return context


def exit_with_parent() -> None:
    """Start a daemon thread that ends this process as soon as its parent is gone (re-parented)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, name='exit-with-parent', daemon=True).start()


def limit_threads(threads: int) -> None:
    """At most ``threads`` threads for torch, BLAS and OpenMP in this process (a worker shares the cores)."""
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(threads)
    threadpool_limits(limits=threads)
