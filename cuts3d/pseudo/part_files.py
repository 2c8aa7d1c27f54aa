"""Append-only JSON-lines part files: what makes an extraction resumable and safe to kill.

Each rank appends one line per finished image to its own file and flushes + fsyncs it before the next image, so a
killed process loses at most the image in progress. A kill during a write leaves at most one partial last line:
readers skip it, and :meth:`PartWriter.open` truncates it away before the rank appends again.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import IO


def read_records(path: str) -> Iterator[tuple[int, dict]]:
    """``(byte offset, record)`` for every complete line of a part file (a partial last line is skipped).

    A malformed line that is *not* the last one means the file was damaged by something other than a kill, and
    raises ValueError with the line's position.
    """
    if not os.path.exists(path):
        return
    with open(path, 'rb') as handle:
        offset = 0
        for line in handle:
            if line.endswith(b'\n'):
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    raise ValueError(f'{path}: corrupt record at byte {offset}: {error}') from error
                yield offset, record
            offset += len(line)


def read_record_at(handle: IO[bytes], offset: int) -> dict:
    """The record that starts at ``offset`` of an open part file."""
    handle.seek(offset)
    return json.loads(handle.readline())


def complete_length(path: str) -> int:
    """Bytes of ``path`` up to and including its last newline (0 when the file has none or does not exist)."""
    if not os.path.exists(path):
        return 0
    with open(path, 'rb') as handle:
        data = handle.read()
    return data.rfind(b'\n') + 1


class PartWriter:
    """Appends records to one part file, one durable line each."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def open(self) -> PartWriter:
        """Open for appending after dropping a partial last line left by a killed writer."""
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        keep = complete_length(self.path)
        if os.path.exists(self.path) and os.path.getsize(self.path) != keep:
            os.truncate(self.path, keep)
        self._handle = open(self.path, 'a', encoding='utf-8')
        return self

    def append(self, record: dict) -> None:
        """Write ``record`` as one json line, flushed and fsynced before returning."""
        if self._handle is None:
            raise RuntimeError(f'{self.path} is not open')
        self._handle.write(json.dumps(record, separators=(',', ':'), ensure_ascii=False) + '\n')
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __enter__(self) -> PartWriter:
        return self.open()

    def __exit__(self, *exc_info: object) -> None:
        self.close()
