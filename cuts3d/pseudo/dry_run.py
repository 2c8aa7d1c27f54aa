"""Build the pseudo-mask generator and run it once on a small synthetic image before the first real one.

This is what tells a configuration error from a content failure. A config that cannot work (a component given as
a list, a LocalCut without depth, a missing checkpoint, wrong arguments) fails here, before any image is read or
the work dir is touched, and the tool stops with one line (exit 2). Whatever fails after the dry run passed is a
property of that image (unreadable, extreme shape, a missing or broken depth file): it goes to the failures file
and the run goes on.

The synthetic image has no companion files, so a depth source that looks files up by image path (``FileDepth``,
``StereoDepth``) cannot find one; for the dry run only, that lookup's :class:`~cuts3d.depth.paths.
CompanionNotFoundError` is answered with a synthetic depth map. Everything else (building the source, a
monocular network, the features, every cut) runs for real.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..depth.paths import CompanionNotFoundError
from ..registry import PSEUDO_MASK_GENERATORS, UnknownComponentError, build_component
from ..structures import Instance
from .coco_writer import annotation_from_instance

__all__ = ['DRY_RUN_NAME', 'GeneratorConfigError', 'build_checked_generator', 'dry_run', 'synthetic_image']

DRY_RUN_NAME = '__cuts3d_dry_run__.png'


class GeneratorConfigError(ValueError):
    """The ``pseudo_mask_generator`` config cannot be built, or fails on a synthetic image."""


def synthetic_image(height: int = 96, width: int = 128) -> np.ndarray:
    """RGB uint8: a green-to-blue ramp with a red square and a yellow bar (something for every cut to find)."""
    image = np.zeros((height, width, 3), np.uint8)
    image[..., 1] = np.linspace(60, 160, width, dtype=np.uint8)[None, :]
    image[..., 2] = np.linspace(160, 60, height, dtype=np.uint8)[:, None]
    image[height // 5:height // 2, width // 6:width // 2] = (220, 40, 30)
    image[2 * height // 3:5 * height // 6, width // 2:9 * width // 10] = (230, 210, 40)
    return image


def _synthetic_depth(shape: tuple[int, int]) -> np.ndarray:
    """Depth in [0, 1] for :func:`synthetic_image`: a far background ramp and two nearer objects."""
    height, width = shape
    depth = np.tile(np.linspace(0.7, 0.9, width, dtype=np.float32), (height, 1))
    depth[height // 5:height // 2, width // 6:width // 2] = 0.3
    depth[2 * height // 3:5 * height // 6, width // 2:9 * width // 10] = 0.5
    return depth


class _DryRunDepth:
    """The real depth source, with a synthetic map where it finds no file for the synthetic image."""

    def __init__(self, source: Any) -> None:
        self.source = source

    def __call__(self, image: np.ndarray, meta: dict) -> np.ndarray:
        try:
            return self.source(image, meta)
        except CompanionNotFoundError:
            return _synthetic_depth(image.shape[:2])


@contextlib.contextmanager
def _dry_run_depth(generator: Any) -> Iterator[None]:
    source = getattr(generator, 'depth_source', None)
    if source is None:
        yield
        return
    generator.depth_source = _DryRunDepth(source)
    try:
        yield
    finally:
        generator.depth_source = source


def dry_run(generator: Any, sc_levels: int = 6) -> list[Instance]:
    """Run ``generator`` on :func:`synthetic_image` and encode its instances as the runner would.

    Raises :class:`GeneratorConfigError` with one line (``TypeError: 'list' object is not callable``) on failure.
    """
    image = synthetic_image()
    meta = {'img_path': DRY_RUN_NAME, 'rel_path': DRY_RUN_NAME, 'unique_stem': True, 'unique_rel_stem': True}
    try:
        with _dry_run_depth(generator):
            instances = list(generator(image, meta))
        for instance in instances:
            if not isinstance(instance, Instance) or np.shape(instance.mask) != image.shape[:2]:
                raise TypeError(f'the generator must return Instances with masks of the image size; got '
                                f'{type(instance).__name__} {np.shape(getattr(instance, "mask", None))}')
            annotation_from_instance(instance, sc_levels)
    except Exception as error:  # noqa: BLE001 - any failure on the synthetic image is a configuration error
        raise GeneratorConfigError(f'the pseudo_mask_generator fails on a synthetic {image.shape[1]} x '
                                   f'{image.shape[0]} test image, so it would fail on every image: '
                                   f'{_one_line(error)}') from error
    return instances


def build_checked_generator(cfg: dict | Any, sc_levels: int = 6) -> Any:
    """Build a PSEUDO_MASK_GENERATORS config and :func:`dry_run` it; GeneratorConfigError says what is wrong."""
    try:
        generator = build_component(cfg, PSEUDO_MASK_GENERATORS)
    except UnknownComponentError as error:
        raise GeneratorConfigError(f'pseudo_mask_generator: {error}') from error
    except Exception as error:  # noqa: BLE001 - constructors raise anything; the user needs the one line
        raise GeneratorConfigError(f'pseudo_mask_generator cannot be built: {_one_line(error)}') from error
    dry_run(generator, sc_levels)
    return generator


def _one_line(error: BaseException) -> str:
    text = str(error).strip()
    return f'{type(error).__name__}: {text.splitlines()[0]}' if text else type(error).__name__
