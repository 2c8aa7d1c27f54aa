"""Output paths are refused when they are, or lie inside, an input, and when they cannot be written now."""
import os

import pytest

from cuts3d.utils.output_paths import OutputPathError, check_writable_dir, check_writable_file, refuse_inputs


def test_an_input_file_or_a_path_inside_an_input_tree_is_refused(tmp_path):
    images = tmp_path / 'images'
    (images / 'sub').mkdir(parents=True)
    good = images / 'good_0.png'
    good.write_bytes(b'png')
    with pytest.raises(OutputPathError, match='is inside the --images folder'):
        refuse_inputs(str(good), '--out', trees=[('the --images folder', str(images))])
    with pytest.raises(OutputPathError, match='inside the --images folder'):
        refuse_inputs(str(images / 'sub' / 'out.work'), '--work-dir', trees=[('the --images folder', str(images))])
    with pytest.raises(OutputPathError, match='is the config file; it would be overwritten'):
        refuse_inputs(str(good), '--out', files=[('the config file', str(good))])
    link = tmp_path / 'link.png'
    link.symlink_to(good)
    with pytest.raises(OutputPathError, match='is the input image'):
        refuse_inputs(str(link), '--out', files=[('the input image', str(good))])
    refuse_inputs(str(tmp_path / 'out.json'), '--out', [('the config file', str(good))],
                  [('the --images folder', str(images))])  # beside the tree is fine
    refuse_inputs(str(tmp_path / 'images2' / 'out.json'), '--out', trees=[('the --images folder', str(images))])


def test_a_path_under_a_file_proc_or_a_folder_is_refused(tmp_path):
    a_file = tmp_path / 'a_file'
    a_file.write_text('x')
    with pytest.raises(OutputPathError, match='is a file, not a folder'):
        check_writable_file(str(a_file / 'out.json'), '--out')
    with pytest.raises(OutputPathError, match='cannot create folder .*Not a directory'):
        check_writable_dir(str(a_file / 'deeper' / 'work'), '--work-dir')
    with pytest.raises(OutputPathError, match='--out /proc/cuts3d_out.json'):
        check_writable_file('/proc/cuts3d_out.json', '--out')
    with pytest.raises(OutputPathError, match='is a folder; give a file path'):
        check_writable_file(str(tmp_path), '--out')
    check_writable_file(str(tmp_path / 'new' / 'out.json'), '--out')
    assert os.listdir(tmp_path / 'new') == []  # the probe is gone


def test_a_read_only_folder_is_refused(read_only_dir):
    with pytest.raises(OutputPathError, match='cannot write in .*(Read-only|Permission denied)'):
        check_writable_file(str(read_only_dir / 'out.json'), '--out')
