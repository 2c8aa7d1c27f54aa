"""Per-stage wall-clock timing, so the extraction benchmark can say where an image's seconds go."""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


class StageTimer:
    """Accumulates seconds per named stage; ``with timer('features'): ...`` adds the block's duration.

    ``seconds`` maps stage -> total seconds since the last :meth:`reset` (stages that never ran are absent).
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def reset(self) -> None:
        self.seconds = {}

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - start
