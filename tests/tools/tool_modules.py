"""In-process access to the command-line tools, and the image folder the extraction-tool tests run them on."""
from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from cuts3d.cli.main import COMMANDS

TOOLS = Path(__file__).resolve().parents[2] / 'tools'


def load_tool(name: str):
    """The module whose ``main(argv)`` ``tools/<name>.py`` runs: ``cuts3d.cli.<module>`` for a tool that is a
    ``cuts3d`` command (the script is a wrapper), else the script itself, imported as a module."""
    for command in COMMANDS.values():
        if command.tool == f'tools/{name}.py':
            return importlib.import_module(f'cuts3d.cli.{command.module}')
    spec = importlib.util.spec_from_file_location(f'cuts3d_tool_{name}', TOOLS / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # importlib's recipe: dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


def write_square_images(folder: Path, count: int) -> None:
    """``folder/000.png ...``: ``count`` 64 x 72 green images with a red 24 x 24 square at seeded places, and
    ``folder/broken.png``, which no decoder reads (one failure for the failure log)."""
    rng = np.random.default_rng(1)
    folder.mkdir(parents=True)
    for i in range(count):
        image = np.zeros((64, 72, 3), np.uint8)
        image[:] = (40, 140, 50)
        y, x = rng.integers(4, 36, 2)
        image[y:y + 24, x:x + 24] = (220, 40, 30)
        Image.fromarray(image).save(folder / f'{i:03d}.png')
    (folder / 'broken.png').write_bytes(b'\x89PNG broken')
