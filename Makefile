# The two commands of the quick start are `make demo` and `make test`; both install what is missing first.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: install demo test lint clean

install:  ## create .venv and install the whole stack (idempotent; seconds when all is in place)
	bash tools/install.sh

demo: install  ## the main job on the embedded sample data, with a visual report
	$(PY) tools/demo.py

# One BLAS / OpenMP thread per process: tests start several processes (ranks, tools), and on 2 cores an
# oversubscribed threaded eigensolve or training step runs 30-300x slower.
test: install  ## the test suite (CPU, tiny synthetic inputs)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(PY) -m pytest $(PYTEST_ARGS)

clean:  ## remove work directories and caches (keeps .venv)
	rm -rf work_dirs .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
