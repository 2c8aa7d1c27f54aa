"""Checks of a tool's output paths before any work starts: never over an input, and writable now.

``--out <images>/good_0.png`` used to turn an input image into JSON text, and an unwritable ``--out`` (a read-only
folder, ``/proc``, a path under a file) was found only after every image had been processed. The tools call
:func:`refuse_inputs` and :func:`check_writable_file` / :func:`check_writable_dir` first, and stop with one line.
"""
from __future__ import annotations

import os
from collections.abc import Iterable

__all__ = ['OutputPathError', 'check_writable_dir', 'check_writable_file', 'is_within', 'refuse_inputs',
           'refuse_run_outputs']


class OutputPathError(ValueError):
    """An output path that would overwrite or land inside an input, or cannot be written."""


def _forms(path: str) -> set[str]:
    """The absolute and the symlink-resolved form of ``path`` (it need not exist)."""
    return {os.path.abspath(path), os.path.realpath(path)}


def is_within(path: str, folder: str) -> bool:
    """Whether ``path`` is ``folder`` or lies under it (absolute or symlink-resolved forms)."""
    return any(os.path.commonpath([p, f]) == f for p in _forms(path) for f in _forms(folder))


def refuse_inputs(path: str, what: str, files: Iterable[tuple[str, str]] = (),
                  trees: Iterable[tuple[str, str]] = ()) -> None:
    """Raise :class:`OutputPathError` when output ``path`` is one of the input ``files`` or inside an input tree.

    ``files`` and ``trees`` are ``(description, path)`` pairs, e.g. ``('the --images folder', DIR)``.
    """
    for description, file in files:
        same = _forms(path) & _forms(file) or (os.path.exists(path) and os.path.exists(file)
                                               and os.path.samefile(path, file))
        if same:
            raise OutputPathError(f'{what} {path} is {description}; it would be overwritten: choose another path')
    for description, tree in trees:
        if is_within(path, tree):
            raise OutputPathError(f'{what} {path} is inside {description} ({tree}); outputs are kept out of the '
                                  'inputs: choose a path outside it')


def refuse_run_outputs(outputs: Iterable[tuple[str, str]], config: str, images: str, root: str,
                       image_paths: Iterable[str], depth: str | None = None) -> None:
    """:func:`refuse_inputs` for every ``(what, path)`` output of a run over an ``--images`` argument.

    The inputs: the config file, an ``--images`` list file, the ``--images`` folder (``root``; for a list file or
    one image, each folder holding a listed image of ``image_paths``) and a ``--depth`` folder.
    """
    if os.path.isdir(images):
        trees = [('the --images folder', root)]
    else:
        folders = sorted({os.path.dirname(path) for path in image_paths})
        trees = [('a folder holding input images', folder) for folder in folders]
    if depth:
        trees.append(('the --depth folder', depth))
    files = [('the config file', config)]
    if os.path.isfile(images):
        files.append(('the --images file', images))
    for what, path in outputs:
        refuse_inputs(path, what, files, trees)


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def check_writable_dir(folder: str, what: str) -> None:
    """Create ``folder`` if needed and write (then remove) a probe file in it; OutputPathError if impossible.

    ``what`` names the output for the message, e.g. ``'--work-dir /data/run.work'``.
    """
    try:
        os.makedirs(folder, exist_ok=True)
    except FileExistsError as error:
        raise OutputPathError(f'{what}: {folder} is a file, not a folder') from error
    except OSError as error:
        raise OutputPathError(f'{what}: cannot create folder {folder}: {_reason(error)}') from error
    probe = os.path.join(folder, f'.cuts3d-write-probe-{os.getpid()}')
    try:
        with open(probe, 'w', encoding='utf-8') as handle:
            handle.write('probe\n')
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        raise OutputPathError(f'{what}: cannot write in {folder}: {_reason(error)}') from error
    finally:
        if os.path.lexists(probe):
            os.remove(probe)


def check_writable_file(path: str, what: str) -> None:
    """``path`` is not a folder and its folder can be created and written now; OutputPathError otherwise.

    ``what`` names the option, e.g. ``'--out'``.
    """
    label = f'{what} {path}'
    if os.path.isdir(path):
        raise OutputPathError(f'{label} is a folder; give a file path')
    check_writable_dir(os.path.dirname(os.path.abspath(path)), label)
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise OutputPathError(f'{label}: cannot overwrite it: permission denied')
