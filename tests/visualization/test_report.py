"""The HTML report: references the PNGs it was given, shows the metrics table, refuses missing pictures."""
import html
import re

import numpy as np
import pytest

from cuts3d.visualization import ReportRow, metrics_table, save_row, write_report


def _picture(value):
    picture = np.zeros((8, 10, 3), np.uint8)
    picture[::2] = value
    return picture


def test_report_references_existing_pngs_and_holds_the_metrics(tmp_path):
    rows = [save_row(tmp_path, 'img/a.png', {'image': _picture(200), 'cut 0: LocalCut': _picture(90)}),
            save_row(tmp_path, 'b.png', {'image': _picture(50)})]
    metrics = {'CutLER': {'AP': 9.4, 'AP50': 18.9}, 'CutS3D': {'AP': 10.2}, 'detector': 0.5}
    page = write_report(tmp_path, rows, metrics, title='demo <report>')
    assert page == tmp_path / 'report.html'
    text = page.read_text()
    sources = re.findall(r'<img src="([^"]+)"', text)
    assert len(sources) == 3
    for source in sources:
        assert (tmp_path / html.unescape(source)).is_file()
    assert 'demo &lt;report&gt;' in text
    assert '<table class="metrics">' in text
    for cell in ('CutS3D', '10.200', '18.900', 'AP50', 'value', '0.500'):
        assert f'>{cell}<' in text
    assert '&ndash;' in text  # CutS3D has no AP50


def test_captions_become_distinct_file_names(tmp_path):
    row = save_row(tmp_path, 'x', {'cut 0: a': _picture(1), 'cut 0 a': _picture(2)})
    assert [path for _, path in row.pictures] == ['x/cut_0_a.png', 'x/cut_0_a_.png']


def test_row_notes_are_listed_above_the_pictures(tmp_path):
    row = save_row(tmp_path, 'a.png', {'image': np.zeros((4, 4, 3), np.uint8)}, notes=['cut 0: kept', 'cut 1: <x>'])
    page = write_report(tmp_path, [row]).read_text()
    assert '<ul class="notes"><li>cut 0: kept</li><li>cut 1: &lt;x&gt;</li></ul><div class="pictures">' in page


def test_missing_picture_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match='missing.png'):
        write_report(tmp_path, [ReportRow('a', [('image', 'missing.png')])])


def test_metrics_table_columns_are_the_union_in_order():
    table = metrics_table({'a': {'x': 1, 'y': None}, 'b': {'z': 'n/a'}})
    assert re.findall(r'<th>([^<]*)</th>', table) == ['', 'x', 'y', 'z']
