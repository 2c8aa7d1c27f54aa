"""Every command's ``--help`` answers without loading torch or mmdet (seconds each): the tools import their work
after parsing the command line."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[2] / 'tools'
# tools/benchmark.py's libraries, not commands
LIBRARIES = ('training_benchmark', 'cut_benchmark', 'extraction_benchmark', 'quality_benchmark')
COMMANDS = sorted(path.stem for path in TOOLS.glob('*.py') if path.stem not in LIBRARIES)


@pytest.mark.parametrize('name', COMMANDS)
def test_help_loads_no_framework(name):
    script = ('import json, runpy, sys\n'
              f'sys.argv = [{name + ".py"!r}, "--help"]\n'
              'try:\n'
              f'    runpy.run_path({str(TOOLS / (name + ".py"))!r}, run_name="__main__")\n'
              'except SystemExit as exit:\n'
              '    assert exit.code in (0, None), exit.code\n'
              'print(json.dumps(sorted(sys.modules)))')
    result = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr.strip().splitlines()[-1:]
    assert 'usage:' in result.stdout
    loaded = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert not {'torch', 'mmdet', 'open3d'} & loaded
