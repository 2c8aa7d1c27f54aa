"""Part files: one durable line per image; a partial line left by a kill is skipped and repaired."""
import pytest

from cuts3d.pseudo.part_files import PartWriter, read_record_at, read_records


def test_append_and_read_back_with_offsets(tmp_path):
    path = str(tmp_path / 'p.jsonl')
    with PartWriter(path) as writer:
        writer.append({'index': 0, 'name': 'a'})
        writer.append({'index': 1, 'name': 'é'})
    records = list(read_records(path))
    assert [r for _, r in records] == [{'index': 0, 'name': 'a'}, {'index': 1, 'name': 'é'}]
    with open(path, 'rb') as handle:
        assert read_record_at(handle, records[1][0]) == {'index': 1, 'name': 'é'}


def test_partial_last_line_is_skipped_then_truncated_before_appending(tmp_path):
    path = str(tmp_path / 'p.jsonl')
    with PartWriter(path) as writer:
        writer.append({'index': 0})
    with open(path, 'a') as handle:
        handle.write('{"index": 1, "annotati')  # killed mid-write
    assert [r['index'] for _, r in read_records(path)] == [0]
    with PartWriter(path) as writer:
        writer.append({'index': 2})
    assert [r['index'] for _, r in read_records(path)] == [0, 2]


def test_corruption_before_the_last_line_is_an_error(tmp_path):
    path = tmp_path / 'p.jsonl'
    path.write_text('{"index": 0}\nnot json\n{"index": 2}\n')
    with pytest.raises(ValueError, match='corrupt record at byte 13'):
        list(read_records(str(path)))


def test_missing_file_has_no_records(tmp_path):
    assert list(read_records(str(tmp_path / 'none.jsonl'))) == []
    with pytest.raises(RuntimeError, match='not open'):
        PartWriter(str(tmp_path / 'x.jsonl')).append({})
