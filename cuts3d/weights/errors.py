"""The one error every weights loader raises: a checkpoint that is missing, unreachable, corrupt or unsafe."""
from __future__ import annotations


class CheckpointError(RuntimeError):
    """Weights that cannot be used: missing, not downloadable, truncated, not matching their hash, unreadable, or
    holding pickled objects. The message is one line that names the file (or URL) and what to do."""
