"""single_blas_thread limits every loaded BLAS library to one thread, and restores the limits after."""
from threadpoolctl import threadpool_info, threadpool_limits

from cuts3d.utils.blas_threads import single_blas_thread


def blas_threads():
    return [info['num_threads'] for info in threadpool_info() if info['user_api'] == 'blas']


def test_one_thread_inside_and_the_caller_s_limits_after():
    with threadpool_limits(limits=2, user_api='blas'):
        before = blas_threads()
        with single_blas_thread():
            assert blas_threads() and set(blas_threads()) == {1}
        assert blas_threads() == before
