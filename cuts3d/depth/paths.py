"""Find the file that belongs to an image (a stored depth map, the right view of a stereo pair) under another root.

Two layouts are common: a tree that mirrors the image tree (``root/n01/a.npy`` for ``images/n01/a.JPEG``) and a
flat folder keyed by the image stem (``root/a.npy``). The mirrored path is tried first. The stem is a fallback only
while it names one image: when ``sub/a/x.png`` and ``sub/b/x.png`` are in the same run, ``root/x.npy`` could
belong to either, so both images fail with :class:`AmbiguousCompanionError` instead of silently sharing one depth
map. Likewise ``a.png`` and ``a.jpg`` in one folder would share the mirrored ``root/a.npy``. The caller says what
is unique with ``meta['unique_stem']`` and ``meta['unique_rel_stem']`` (the extraction runner and the tools set
them from the whole image list, :meth:`cuts3d.pseudo.image_list.ImageItem.meta`); without them the image is
taken to be the only one with its name.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any


class CompanionNotFoundError(FileNotFoundError):
    """No file belongs to the image under the companion root."""


class AmbiguousCompanionError(CompanionNotFoundError):
    """Only a stem-keyed file exists, and the stem is shared by several images of the run."""


def image_rel_path(meta: dict[str, Any]) -> str:
    """The image path relative to its root: ``meta['rel_path']``, else the basename of ``meta['img_path']``."""
    rel_path = meta.get('rel_path') or (os.path.basename(meta['img_path']) if meta.get('img_path') else None)
    if not rel_path:
        raise KeyError(f"depth sources need meta['rel_path'] or meta['img_path']; got keys {sorted(meta)}")
    return str(rel_path)


def _suffixes(rel_path: str, suffixes: Sequence[str] | None) -> list[str]:
    return [os.path.splitext(rel_path)[1]] if suffixes is None else list(suffixes)


def mirrored_candidates(root: str, rel_path: str, suffixes: Sequence[str] | None) -> list[str]:
    """``root/<rel_path without suffix><s>`` for each suffix (``suffixes=None``: the image's own suffix)."""
    rel_stem = os.path.splitext(rel_path)[0]
    return [os.path.join(root, rel_stem + s) for s in _suffixes(rel_path, suffixes)]


def stem_candidates(root: str, rel_path: str, suffixes: Sequence[str] | None) -> list[str]:
    """``root/<stem><s>`` for each suffix: the flat layout."""
    stem = os.path.basename(os.path.splitext(rel_path)[0])
    return [os.path.join(root, stem + s) for s in _suffixes(rel_path, suffixes)]


def companion_candidates(root: str, rel_path: str, suffixes: Sequence[str] | None) -> list[str]:
    """Paths to try, in order: the mirrored ones, then the stem-keyed ones (without repeats)."""
    return list(dict.fromkeys(mirrored_candidates(root, rel_path, suffixes) +
                              stem_candidates(root, rel_path, suffixes)))


def find_companion(root: str, rel_path: str, suffixes: Sequence[str] | None, what: str,
                   unique_stem: bool = True, unique_rel_stem: bool = True) -> str:
    """The first existing mirrored path, else (only with ``unique_stem``) the first existing stem-keyed path.

    Raises :class:`CompanionNotFoundError` naming every path tried, or :class:`AmbiguousCompanionError` when the
    file found could belong to another image of the run too: a stem-keyed file without ``unique_stem``, or a
    mirrored file with other ``suffixes`` than the image's without ``unique_rel_stem``.
    """
    mirrored = mirrored_candidates(root, rel_path, suffixes)
    for path in mirrored:
        if os.path.isfile(path):
            if suffixes is not None and not unique_rel_stem:
                raise AmbiguousCompanionError(
                    f'{path} could be the {what} of image {rel_path!r} or of another image of this run that differs '
                    'from it only in its suffix; rename one of the images')
            return path
    flat = [path for path in stem_candidates(root, rel_path, suffixes) if path not in mirrored]
    found = [path for path in flat if os.path.isfile(path)]
    if found and unique_stem:
        return found[0]
    if found:
        raise AmbiguousCompanionError(
            f'no {what} for image {rel_path!r} at {", ".join(mirrored)}; {found[0]} matches its file name, but '
            'other images of this run have the same name, so it cannot tell them apart: store the files in a '
            'tree that mirrors the image folders')
    raise CompanionNotFoundError(f'no {what} for image {rel_path!r}; tried: {", ".join(mirrored + flat)}')
