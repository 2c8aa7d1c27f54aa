"""--cfg-options parsing (dicts, tuples, spaces, malformed items) and config reading with file:line syntax errors."""
import argparse
import textwrap

import pytest
from mmengine.config import Config

from cuts3d.utils.config_options import (ConfigFileError, ConfigOptionsAction, dict_merge_hint, merge_cfg_options,
                                         parse_option_value, read_config)


def parse(*items):
    parser = argparse.ArgumentParser(prog='tool.py')
    parser.add_argument('--cfg-options', nargs='+', action=ConfigOptionsAction)
    return parser.parse_args(['--cfg-options', *items]).cfg_options


def test_values_parse_like_mmengine_plus_dicts_and_spaces():
    assert parse('a=1', 'b=1.5', 'c=true', 'd=None', 'e=x', 'f=1,2', 'g=[a,b]', 'h=(96,96)', 'i=[(1,2),[a]]') == {
        'a': 1, 'b': 1.5, 'c': True, 'd': None, 'e': 'x', 'f': [1, 2], 'g': ['a', 'b'], 'h': (96, 96),
        'i': [(1, 2), ['a']]}
    # the README's dict value: mmengine's DictAction made it a list of two strings
    assert parse("m.depth_source={'type':'StereoDepth','right_root':'R'}") == {
        'm.depth_source': {'type': 'StereoDepth', 'right_root': 'R'}}
    assert parse('data_root=/data/my images/') == {'data_root': '/data/my images/'}
    assert parse('k=a=b') == {'k': 'a=b'}


@pytest.mark.parametrize('item, message', [
    ('foo', "'foo' is not KEY=VALUE"),
    ('=1', "'=1' is not KEY=VALUE"),
    ("d={'type':", 'not a Python dict literal'),
    ('d={1, 2}', 'is not a dict'),
    ('l=[1,(2]', 'Imbalanced brackets'),
])
def test_malformed_items_are_usage_errors_not_tracebacks(item, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse(item)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err.splitlines()[-1]


def test_a_dict_merges_replaces_with_delete_and_replaces_none():
    cfg = Config(dict(gen=dict(depth=dict(type='FileDepth', root='R'), none_source=None)))
    merge_cfg_options(cfg, {'gen.depth': {'type': 'StereoDepth', 'right_root': 'S'}})
    assert cfg.gen.depth == {'type': 'StereoDepth', 'root': 'R', 'right_root': 'S'}  # mmengine's merge
    options = {'gen.depth': {'_delete_': True, 'type': 'StereoDepth', 'right_root': 'S'}}
    merge_cfg_options(cfg, options)
    assert cfg.gen.depth == {'type': 'StereoDepth', 'right_root': 'S'}
    assert '_delete_' in options['gen.depth']  # the caller's options are not changed
    merge_cfg_options(cfg, {'gen.none_source': {'type': 'ConstantDepth'}, 'gen.new': {'a': 1}})
    assert cfg.gen.none_source == {'type': 'ConstantDepth'} and cfg.gen.new == {'a': 1}


def test_dict_merge_hint_only_for_merged_dicts_and_unexpected_arguments():
    message = "TypeError: StereoDepth.__init__() got an unexpected keyword argument 'root'"
    assert "'_delete_':True" in dict_merge_hint({'a.depth': {'type': 'StereoDepth'}}, message)
    assert dict_merge_hint({'a.depth': {'_delete_': True, 'type': 'S'}}, message) == ''
    assert dict_merge_hint({'a.depth': {'type': 'S'}}, 'ValueError: other') == ''
    assert dict_merge_hint(None, message) == ''


def test_syntax_errors_name_the_file_and_line_also_in_a_base(tmp_path):
    broken = tmp_path / 'base.py'
    broken.write_text('a = 1\nb = dict(\n')
    child = tmp_path / 'child.py'
    child.write_text("_base_ = ['./base.py']\nc = 2\n")
    for path in (broken, child):
        with pytest.raises(ConfigFileError, match=rf"^{broken}:2: syntax error: '\(' was never closed$"):
            read_config(str(path))
    with pytest.raises(ConfigFileError, match='config file not found'):
        read_config(str(tmp_path / 'none.py'))


def test_failed_custom_imports_and_missing_base_are_one_line(tmp_path):
    config = tmp_path / 'imports.py'
    config.write_text("custom_imports = dict(imports=['no_such_module_xyz'], allow_failed_imports=False)\n")
    with pytest.raises(ConfigFileError, match="custom_imports failed.*no_such_module_xyz") as error:
        read_config(str(config))
    assert '\n' not in str(error.value)
    config.write_text(textwrap.dedent("""
        _base_ = ['./missing_base.py']
        """))
    with pytest.raises(ConfigFileError, match='missing_base.py'):
        read_config(str(config))


def test_parse_option_value_directly():
    assert parse_option_value(' {"a": (1, 2)} ') == {'a': (1, 2)}
    assert parse_option_value('64') == 64
