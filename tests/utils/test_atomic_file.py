"""cuts3d/utils/atomic_file.py: a file appears whole or not at all."""
import json

import pytest

from cuts3d.utils.atomic_file import atomic_write, write_json_atomic


def test_json_is_written_whole(tmp_path):
    path = tmp_path / 'sub' / 'out.json'
    write_json_atomic(path, {'a': [1, 2]})
    assert json.loads(path.read_text()) == {'a': [1, 2]}
    assert [p.name for p in path.parent.iterdir()] == ['out.json']


def test_failure_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / 'out.json'
    path.write_text('old')
    with pytest.raises(RuntimeError):
        with atomic_write(path) as out:
            out.write('half')
            raise RuntimeError('killed')
    assert path.read_text() == 'old'
    assert [p.name for p in tmp_path.iterdir()] == ['out.json']
