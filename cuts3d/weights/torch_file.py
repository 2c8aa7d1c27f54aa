"""Tell a torch checkpoint from a file that only carries its name (a text file, an HTML error page, a Git LFS pointer).

``torch.load`` on such a file fails with whatever its unpickler trips over first (``KeyError: 101``,
``IndexError: pop from empty list``, or the weights-only refusal that reads as "holds pickled objects"), none of
which says what the file is. :func:`describe_non_torch_file` looks at the first bytes instead: every file
``torch.save`` writes is a zip archive (the default since torch 1.6) or a pickle of protocol 2 or higher (legacy).
"""
from __future__ import annotations

import os

__all__ = ['describe_non_torch_file']

_ZIP_MAGIC = b'PK\x03\x04'
_PICKLE_PROTO = 0x80  # the PROTO opcode that starts every pickle of protocol >= 2


def describe_non_torch_file(path: str | os.PathLike) -> str | None:
    """None for a file that may be a torch checkpoint, else what it is instead (``'is a text file ...'``)."""
    with open(path, 'rb') as handle:
        head = handle.read(256)
    if head.startswith(_ZIP_MAGIC) or head[:1] == bytes([_PICKLE_PROTO]):
        return None
    if not head:
        return 'is empty, not a torch checkpoint'
    if head.startswith(b'version https://git-lfs'):
        return 'is a Git LFS pointer, not the weights (fetch them with `git lfs pull`)'
    text = head.lstrip().lower()
    if text.startswith((b'<!doctype html', b'<html')):
        return 'is an HTML page (a failed download?), not a torch checkpoint'
    lines = head.decode('utf-8', errors='replace').splitlines()
    first_line = lines[0] if lines else ''
    if not first_line.isprintable() or '\ufffd' in first_line:
        return 'is not a torch checkpoint (neither a zip archive nor a pickle)'
    return f'is a text file (it starts with {first_line[:40]!r}), not a torch checkpoint'
