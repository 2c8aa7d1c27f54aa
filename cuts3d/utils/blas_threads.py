"""One BLAS thread for code whose results must not depend on the machine's core count.

OpenBLAS splits a matrix product (``sgemm``, ``ssymv``) among its threads, and the split changes the order in which
products are summed: the same cosine affinity or NCut eigenvector differs in its last bits between 1 and 2 threads
(a 3600 x 768 ``sgemm`` and a 3600-node ``ssymv`` do on a 2-core machine), which can move a node that lies on the
split to the other side; the end-to-end benchmark (docs/performance.md) saw the json of a serial run with 2 threads
differ from that of the pipelined run's one-thread workers.
MaskCut's cut stage runs under :func:`single_blas_thread`, so an image gets the same masks whatever
``OPENBLAS_NUM_THREADS`` says and in whichever process it runs (the serial runner's, or a pipelined cut worker).
torch's own threads are not affected.
"""
from __future__ import annotations

from contextlib import AbstractContextManager


def single_blas_thread() -> AbstractContextManager:
    """A context in which every loaded BLAS library (numpy's, scipy's) uses one thread. The libraries are looked
    up on every call (a millisecond), so one loaded after an earlier call is limited too."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api='blas')
