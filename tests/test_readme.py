"""The README's commands work as written: every ``cuts3d ...`` and ``python tools/...`` line of its code blocks names
a real command whose flags parse, and the "Your own photos" block runs end to end on a tiny folder of photos."""
import importlib
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import cv2
import pytest
from PIL import Image
from skimage import data as skdata

from cuts3d.cli.main import COMMANDS

REPO = Path(__file__).resolve().parents[1]
README = (REPO / 'README.md').read_text()
SCRIPTS = {command.tool: name for name, command in COMMANDS.items()}


def code_blocks(text: str) -> list[str]:
    return re.findall(r'```bash\n(.*?)```', text, re.DOTALL)


def commands(block: str) -> list[list[str]]:
    """The block's commands as argv lists: continuation lines joined, comments and environment assignments dropped."""
    found = []
    for line in block.replace('\\\n', ' ').splitlines():
        argv = shlex.split(line, comments=True)
        while argv and re.match(r'^[A-Z_]+=', argv[0]):
            argv = argv[1:]
        if argv:
            found.append(argv)
    return found


def readme_commands() -> list[list[str]]:
    return [argv for block in code_blocks(README) for argv in commands(block)]


def checked(argv: list[str]) -> tuple[str, list[str]] | None:
    """``(cuts3d command or tools/ script, its arguments)`` for a line this test checks, else None."""
    program = argv[0].removeprefix('.venv/bin/')
    if program == 'cuts3d':
        return argv[1], argv[2:]
    scripts = [i for i, arg in enumerate(argv) if arg.startswith('tools/') and arg.endswith('.py')]
    if program in ('python', 'torchrun') and scripts:
        return argv[scripts[0]], argv[scripts[0] + 1:]
    return None


CHECKED = [line for line in map(checked, readme_commands()) if line]


def test_the_readme_uses_the_cuts3d_command():
    """`python tools/...` failed outside the venv; a command's script appears only where torchrun starts it."""
    assert sum(program in COMMANDS for program, _ in CHECKED) >= 20
    for argv in readme_commands():
        if argv[0] == 'python' and len(argv) > 1 and argv[1] in SCRIPTS:
            pytest.fail(f'README runs {argv[1]}: write `cuts3d {SCRIPTS[argv[1]]}`')
    assert 'source .venv/bin/activate' in README and '.venv/bin/cuts3d' in README


@pytest.mark.parametrize('program, args', CHECKED, ids=[' '.join(a)[:90] for a in readme_commands() if checked(a)])
def test_each_readme_command_parses(program, args):
    if program == '--help':
        return
    name = program if program in COMMANDS else SCRIPTS.get(program)
    if name is None:  # a script that is not a cuts3d command (tools/benchmark.py): its own --help must accept them
        assert (REPO / program).is_file(), program
        result = subprocess.run([sys.executable, program, *args, '--help'], cwd=REPO, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-1000:]
        return
    module = importlib.import_module(f'cuts3d.cli.{COMMANDS[name].module}')
    module.parse_args(args)  # argparse exits (2) on an unknown command, flag or value


@pytest.fixture
def photos(tmp_path):
    """Two scikit-image photos, downscaled so the test stays short."""
    folder = tmp_path / 'PHOTOS'
    folder.mkdir()
    for name in ('chelsea', 'rocket'):
        image = getattr(skdata, name)()
        size = (round(image.shape[1] * 160 / max(image.shape[:2])), round(image.shape[0] * 160 / max(image.shape[:2])))
        Image.fromarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA)).save(folder / f'{name}.jpg')
    return folder


@pytest.mark.slow
def test_the_own_photos_block_runs_as_written(photos, tmp_path):
    """Followed literally with a folder of photos (PHOTOS) and one of them (PHOTO.jpg): masks and pictures. It runs
    in a folder of its own that sees the repository's configs, so the outputs land under its work_dirs/."""
    block = code_blocks(README.split('## Your own photos', 1)[1])[0]
    (tmp_path / 'configs').symlink_to(REPO / 'configs')
    ran = []
    for argv in commands(block):
        if argv[0] == 'source':
            continue
        assert argv[0] == 'cuts3d', argv
        argv = [str(photos / 'chelsea.jpg') if arg == 'PHOTO.jpg' else str(photos) if arg == 'PHOTOS' else arg
                for arg in argv]
        result = subprocess.run([sys.executable, '-m', 'cuts3d', *argv[1:]], cwd=tmp_path, capture_output=True,
                                text=True, timeout=600)
        assert result.returncode == 0, result.stderr[-2000:]
        ran.append(argv[1])
    assert ran == ['demo', 'extract', 'visualize']
    work = tmp_path / 'work_dirs'
    assert (work / 'demo_image' / 'chelsea.png').is_file() and (work / 'demo_image' / 'chelsea.json').is_file()
    masks = json.loads((work / 'own_photos' / 'masks.json').read_text())
    assert sorted(image['file_name'] for image in masks['images']) == ['chelsea.jpg', 'rocket.jpg']
    assert masks['annotations'] and {a['image_id'] for a in masks['annotations']} == {1, 2}
    page = (work / 'own_photos' / 'pages' / 'index.html').read_text()
    assert page.count('<ul class="notes">') == 2 and 'pseudo-masks' in page
