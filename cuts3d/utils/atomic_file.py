"""Files that appear whole or not at all: a killed run never leaves half a json behind."""
from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Iterator
from typing import IO, Any


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike) -> Iterator[IO[str]]:
    """Open a temporary file beside ``path`` for writing text; on success fsync it and rename it over ``path``."""
    path = os.fspath(path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f'{path}.tmp{os.getpid()}'
    try:
        with open(tmp, 'w', encoding='utf-8') as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_json_atomic(path: str | os.PathLike, obj: Any) -> None:
    """Write ``obj`` as compact json to ``path`` through :func:`atomic_write`."""
    with atomic_write(path) as out:
        json.dump(obj, out, separators=(',', ':'), ensure_ascii=False)
        out.write('\n')


def write_jsonl_atomic(path: str | os.PathLike, records: Iterable[dict]) -> None:
    """Write one json line per record to ``path`` through :func:`atomic_write` (no records: an empty file)."""
    with atomic_write(path) as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + '\n')
