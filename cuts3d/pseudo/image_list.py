"""The sorted, deduplicated list of images an extraction runs over.

Sorting by the path relative to the image root (POSIX separators) makes the list, the image ids (sorted index + 1)
and every rank's shard ``items[rank::world_size]`` the same on every machine, file system and run; CutLER's
launcher sharded an unsorted ``os.listdir`` instead (``docs/reference.md``, "Defects").

Each item also says whether its file stem, and its path without suffix, are unique in the run: a depth map or a
right stereo view stored as ``DIR/<stem>.npy`` can belong to one image only (:mod:`cuts3d.depth.paths`).
"""
from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass

from ..utils.image_io import IMAGE_EXTENSIONS, has_image_extension

__all__ = ['ImageItem', 'ImageListError', 'list_images']


class ImageListError(ValueError):
    """The ``--images`` argument names no images (missing path, empty directory, empty or bad list file)."""


@dataclass(frozen=True)
class ImageItem:
    """One image of the run: its global ``index`` in the sorted list, absolute ``path``, ``rel_path`` to the root.

    ``unique_stem``: no other image of the run has the same file name without suffix; ``unique_rel_stem``: none
    has the same ``rel_path`` without suffix (``a.png`` and ``a.jpg`` in one folder do).
    """

    index: int
    path: str
    rel_path: str
    unique_stem: bool = True
    unique_rel_stem: bool = True

    def meta(self) -> dict:
        """The ``meta`` a pseudo-mask generator and its depth source get for this image."""
        return {'img_path': self.path, 'rel_path': self.rel_path, 'unique_stem': self.unique_stem,
                'unique_rel_stem': self.unique_rel_stem}


def _walk(root: str) -> list[str]:
    found = []
    for directory, subdirs, files in os.walk(root, followlinks=True):
        subdirs.sort()
        found += [os.path.join(directory, name) for name in files if has_image_extension(name)]
    return found


def _read_list_file(list_file: str) -> list[str]:
    """Paths of a list file (one per line; blank lines and ``#`` comments skipped; relative to the file's folder)."""
    base = os.path.dirname(os.path.abspath(list_file))
    with open(list_file, encoding='utf-8') as handle:
        lines = [line.strip() for line in handle]
    return [os.path.normpath(os.path.join(base, line)) for line in lines if line and not line.startswith('#')]


def _list_root(paths: list[str], preferred: str) -> str:
    """``preferred`` when every path lies under it, else the deepest folder holding them all."""
    if all(os.path.commonpath([preferred, p]) == preferred for p in paths):
        return preferred
    return os.path.commonpath([os.path.dirname(p) for p in paths])


def list_images(spec: str | os.PathLike) -> tuple[str, list[ImageItem]]:
    """``(root, items)`` for ``spec``: a folder (searched recursively), one image file, or a list file.

    A folder yields every file whose extension is one of :data:`IMAGE_EXTENSIONS` (case-insensitive); the root is
    the folder. A list file holds one path per line (relative paths are relative to the list file's folder); its
    root is the list file's folder when every image lies under it, else their deepest common folder. Items are
    sorted by ``rel_path``. Raises :class:`ImageListError` when nothing is found or a list names a path twice.
    """
    spec = os.path.abspath(os.fspath(spec))
    if os.path.isdir(spec):
        root, paths = spec, _walk(spec)
        if not paths:
            raise ImageListError(f'no images ({", ".join(IMAGE_EXTENSIONS)}) found under {spec}')
    elif os.path.isfile(spec) and has_image_extension(spec):
        root, paths = os.path.dirname(spec), [spec]
    elif os.path.isfile(spec):
        paths = _read_list_file(spec)
        if not paths:
            raise ImageListError(f'list file {spec} names no images')
        root = _list_root(paths, os.path.dirname(spec))
    else:
        raise ImageListError(f'{spec} does not exist')
    rel_paths = [os.path.relpath(p, root).replace(os.sep, '/') for p in paths]
    repeated = [rel for rel, count in Counter(rel_paths).items() if count > 1]
    if repeated:
        raise ImageListError(f'{spec} lists {len(repeated)} image(s) more than once, e.g. {repeated[0]}')
    rel_stems = [os.path.splitext(rel)[0] for rel in rel_paths]
    stems = Counter(os.path.basename(rel_stem) for rel_stem in rel_stems)
    rel_stem_counts = Counter(rel_stems)
    order = sorted(range(len(paths)), key=rel_paths.__getitem__)
    items = [ImageItem(index=i, path=paths[j], rel_path=rel_paths[j],
                       unique_stem=stems[os.path.basename(rel_stems[j])] == 1,
                       unique_rel_stem=rel_stem_counts[rel_stems[j]] == 1) for i, j in enumerate(order)]
    return root, items
