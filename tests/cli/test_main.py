"""The ``cuts3d`` command (cuts3d/cli/main.py): dispatch, ``--help`` without frameworks, the entry point, the
tools/ wrappers."""
import configparser
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cuts3d.cli import main as cli_main
from cuts3d.cli.main import COMMANDS

REPO = Path(__file__).resolve().parents[2]
# Libraries that cost seconds and hundreds of MB to import: `--help` must load none of them.
HEAVY = ('torch', 'mmengine', 'mmdet', 'mmcv', 'mmpretrain', 'open3d', 'transformers', 'diffusers', 'cv2')


def run_cuts3d(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, '-m', 'cuts3d', *args], capture_output=True, text=True, cwd=REPO,
                          timeout=120, **kwargs)


def modules_after_help(argv: list[str]) -> set[str]:
    """``sys.modules`` after ``cuts3d ARGV`` (expected to print help and exit 0) in a fresh interpreter."""
    script = ('import json, sys\n'
              'from cuts3d.cli.main import main\n'
              'try:\n'
              f'    code = main({argv!r})\n'
              'except SystemExit as exit:\n'
              '    code = exit.code\n'
              'assert code in (0, None), code\n'
              'print(json.dumps(sorted(sys.modules)))')
    result = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert 'usage:' in result.stdout
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize('argv', [['--help'], *([name, '--help'] for name in COMMANDS)],
                         ids=lambda argv: ' '.join(argv))
def test_help_loads_no_framework(argv):
    loaded = modules_after_help(argv)
    assert not {name for name in loaded if name.split('.')[0] in HEAVY}


def test_usage_lists_every_command(capsys):
    assert cli_main.main(['--help']) == 0
    out = capsys.readouterr().out
    assert all(f'  {name} ' in out for name in COMMANDS)
    assert cli_main.main([]) == 2  # no command: the usage, and a usage error


def test_unknown_command_is_one_line_with_a_suggestion(capsys):
    assert cli_main.main(['extrct', '--images', 'x']) == 2
    assert capsys.readouterr().err.strip() == "cuts3d: error: unknown command 'extrct'; did you mean 'extract'?"


def test_python_m_cuts3d_runs_a_command_with_its_exit_status():
    result = run_cuts3d('eval', 'missing.json', 'missing_gt.json')
    assert result.returncode == 2
    assert result.stderr.strip().startswith('cuts3d eval: error:')
    assert run_cuts3d('--version').stdout.startswith('cuts3d ')


def test_the_console_script_is_declared():
    """`make install` (pip install -e .) puts `cuts3d` into .venv/bin from this entry point."""
    setup = configparser.ConfigParser()
    setup.read(REPO / 'setup.cfg')
    scripts = [line.strip() for line in setup['options.entry_points']['console_scripts'].splitlines() if line.strip()]
    assert scripts == ['cuts3d = cuts3d.cli.main:main']


@pytest.mark.parametrize('name', COMMANDS)
def test_each_tool_script_runs_the_command(name):
    """tools/<script>.py calls the same main (mmdet-style `python tools/...`, torchrun)."""
    command = COMMANDS[name]
    module = importlib.import_module(f'cuts3d.cli.{command.module}')
    assert module.PROG == f'cuts3d {name}'
    source = (REPO / command.tool).read_text()
    assert f'from cuts3d.cli.{command.module} import main' in source
    result = subprocess.run([sys.executable, command.tool, '--help'], capture_output=True, text=True, cwd=REPO,
                            timeout=120)
    assert result.returncode == 0 and result.stdout.startswith(f'usage: cuts3d {name}')


def test_cli_choices_are_the_librarys():
    """The commands spell some choices out to parse without importing their libraries; they must not drift."""
    from cuts3d.cli import arguments, eval_pseudo_masks, make_synthetic_scenes
    from cuts3d.utils.synthetic_images import SCENE_KINDS
    from cuts3d.evaluation.pseudo_mask_eval import IOU_TYPES, SCORE_KEYS
    from cuts3d.pseudo.distributed import LAUNCHERS

    assert arguments.LAUNCHERS == LAUNCHERS
    assert (eval_pseudo_masks.IOU_TYPES, eval_pseudo_masks.SCORE_KEYS) == (IOU_TYPES, SCORE_KEYS)
    assert make_synthetic_scenes.SCENE_KINDS == SCENE_KINDS


def test_help_shows_defaults(capsys, monkeypatch):
    monkeypatch.setenv('COLUMNS', '200')  # one option per line
    with pytest.raises(SystemExit):
        cli_main.main(['visualize', '--help'])
    out = capsys.readouterr().out
    assert '(default: 4)' in out and '(default: work_dirs/visualize)' in out and '(default: 384)' in out
