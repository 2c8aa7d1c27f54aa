"""tools/extract_pseudo_masks.py in-process: config handling, --depth, custom_imports and exit codes."""
import json
import os
import textwrap

import numpy as np
import pytest
from PIL import Image
from tool_modules import load_tool

ROOT = os.path.join(os.path.dirname(__file__), '..', '..')
CUTLER = os.path.join(ROOT, 'configs', 'demo', 'extract_cutler_tiny.py')
CUTS3D = os.path.join(ROOT, 'configs', 'demo', 'extract_cuts3d_tiny.py')


tool = load_tool('extract_pseudo_masks')


@pytest.fixture
def images(tmp_path):
    folder = tmp_path / 'imgs'
    (folder / 'n01').mkdir(parents=True)
    for i in range(3):
        image = np.zeros((64, 80, 3), np.uint8)
        image[:] = (40, 140, 50)
        image[8 + 8 * i:40 + 8 * i, 16:48] = (220, 40, 30)
        Image.fromarray(image).save(folder / 'n01' / f'im{i}.JPEG', quality=95)
    return folder


def test_cuts3d_demo_config_without_depth_stops_at_once(images, tmp_path, capsys):
    """configs/demo/demo_cuts3d.py without --depth quietly ran on constant depth; now it says what is missing."""
    config = os.path.join(ROOT, 'configs', 'demo', 'demo_cuts3d.py')
    assert tool.main([config, '--images', str(images), '--out', str(tmp_path / 'out.json'), '--no-progress']) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and 'need depth, but pseudo_mask_generator.depth_source is None' in err
    assert not (tmp_path / 'out.json').exists()


def test_explicit_constant_depth_is_announced(images, tmp_path, capsys):
    assert tool.main([CUTS3D, '--images', str(images), '--out', str(tmp_path / 'out.json'), '--no-progress']) == 0
    assert 'cuts3d extract: depth: ConstantDepth(0.5): one depth everywhere' in capsys.readouterr().err


def test_extracts_with_cfg_options_and_prints_a_summary(images, tmp_path, capsys):
    out = tmp_path / 'out.json'
    rc = tool.main([CUTLER, '--images', str(images), '--out', str(out), '--no-progress',
                    '--cfg-options', 'pseudo_mask_generator.num_cuts=1'])
    assert rc == 0
    data = json.loads(out.read_text())
    assert [img['file_name'] for img in data['images']] == ['n01/im0.JPEG', 'n01/im1.JPEG', 'n01/im2.JPEG']
    assert data['info']['pseudo_mask_generator']['num_cuts'] == 1
    assert len(data['annotations']) == 3
    printed = capsys.readouterr().out
    assert 'wrote 3 of 3 images, 3 pseudo-masks' in printed and '0 image(s) failed' in printed
    assert os.path.isdir(tmp_path / 'out.work' / 'parts')


def test_depth_dir_switches_to_file_depth(images, tmp_path):
    depth_dir = tmp_path / 'depth' / 'n01'
    depth_dir.mkdir(parents=True)
    for i in range(3):
        depth = np.full((64, 80), 0.9, np.float32)
        depth[8 + 8 * i:40 + 8 * i, 16:48] = 0.2
        np.save(depth_dir / f'im{i}.npy', depth)
    out = tmp_path / 'out.json'
    rc = tool.main([CUTS3D, '--images', str(images), '--out', str(out), '--depth', str(tmp_path / 'depth'),
                    '--no-progress'])
    assert rc == 0
    data = json.loads(out.read_text())
    assert data['info']['pseudo_mask_generator']['depth_source'] == {
        'type': 'FileDepth', 'root': str(tmp_path / 'depth')}
    assert len(data['annotations']) >= 3 and all('spatial_confidence' in a for a in data['annotations'])


def test_missing_depth_files_are_recorded_failures_and_no_image_is_exit_1(images, tmp_path, capsys):
    (tmp_path / 'depth').mkdir()
    out = tmp_path / 'out.json'
    rc = tool.main([CUTS3D, '--images', str(images), '--out', str(out), '--depth', str(tmp_path / 'depth'),
                    '--no-progress'])
    assert rc == 1
    assert 'no image was written: all 3 failed' in capsys.readouterr().err
    failures = [json.loads(line) for line in open(tmp_path / 'out.failures.jsonl')]
    assert len(failures) == 3 and all('CompanionNotFoundError' in f['reason'] for f in failures)


def test_custom_imports_register_a_plugin_component(images, tmp_path, monkeypatch):
    plugin = tmp_path / 'plugin_pkg'
    plugin.mkdir()
    (plugin / '__init__.py').write_text(textwrap.dedent("""
        import numpy as np
        from cuts3d.registry import DEPTH_SOURCES

        @DEPTH_SOURCES.register_module(force=True)
        class RampDepthForTest:
            def __call__(self, image, meta):
                return np.tile(np.linspace(0, 1, image.shape[1], dtype=np.float32), (image.shape[0], 1))
        """))
    config = tmp_path / 'with_plugin.py'
    config.write_text(textwrap.dedent(f"""
        _base_ = ['{os.path.abspath(CUTS3D)}']
        custom_imports = dict(imports=['plugin_pkg'], allow_failed_imports=False)
        pseudo_mask_generator = dict(depth_source=dict(_delete_=True, type='RampDepthForTest'))
        """))
    monkeypatch.syspath_prepend(str(tmp_path))
    out = tmp_path / 'out.json'
    assert tool.main([str(config), '--images', str(images), '--out', str(out), '--no-progress']) == 0
    assert json.loads(out.read_text())['info']['pseudo_mask_generator']['depth_source'] == {
        'type': 'RampDepthForTest'}


@pytest.mark.parametrize('make_args, message', [
    (lambda d, t: ['missing.py', '--images', str(d), '--out', str(t / 'o.json')], 'config file not found: missing.py'),
    (lambda d, t: [CUTLER, '--images', str(t / 'empty'), '--out', str(t / 'o.json')], 'no images'),
    (lambda d, t: [CUTLER, '--images', str(d), '--out', str(t / 'o.json'), '--cfg-options',
                   'pseudo_mask_generator.partitioner.type=NoSuchCut'],
     "unknown partitioner type 'NoSuchCut'.*registered: .*ConnectedComponent2D"),
    (lambda d, t: [CUTS3D, '--images', str(d), '--out', str(t / 'o.json'), '--depth', str(t / 'nope')],
     'is not a folder'),
    (lambda d, t: [CUTLER, '--images', str(d), '--out', str(t / 'o.json'), '--cfg-options',
                   'pseudo_mask_generator.num_cuts=0'], 'num_cuts must be >= 1'),
])
def test_bad_input_exits_2_with_one_line(images, tmp_path, capsys, make_args, message):
    (tmp_path / 'empty').mkdir()
    assert tool.main(make_args(images, tmp_path)) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith('cuts3d extract: error:')
    assert __import__('re').search(message, err), err


def test_config_without_a_generator_exits_2(images, tmp_path, capsys):
    config = tmp_path / 'empty_cfg.py'
    config.write_text('x = 1\n')
    assert tool.main([str(config), '--images', str(images), '--out', str(tmp_path / 'o.json')]) == 2
    assert 'has no pseudo_mask_generator' in capsys.readouterr().err
