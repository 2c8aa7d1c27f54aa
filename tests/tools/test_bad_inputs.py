"""The bad-input corpus: every kind of input that used to lose, overwrite or silently change work, run through the
real tools, with the outcome asserted: exit status, a one-line message, and nothing lost (the good images of the
same run are all in the json).

Kinds (the numbers of the issue "No run exits 0 having lost, overwritten or silently changed work"):
1 two runs on one work dir; 2 ``--out`` / ``--work-dir`` over or inside the inputs; 3 README ``--cfg-options``,
bad options, every image failing; 4 unwritable outputs, a full disk; 5 content failures in a row, 5000 x 20
images; 6 two images, one stem-keyed depth map; 7 invalid predictions / ground truth / training json; 8 bad
checkpoints in test.py; 9 visualize with unreadable images and checkpoints; 10 the smaller ones.
"""
import copy
import errno
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from PIL import Image
from tiny_pseudo_mask_data import data_options, write_tiny_dataset
from tool_modules import load_tool

from cuts3d.pseudo import runner as runner_module
from cuts3d.registry import MODELS

REPO = Path(__file__).resolve().parents[2]
CUTS3D = str(REPO / 'configs' / 'demo' / 'extract_cuts3d_tiny.py')
DETECTOR = 'configs/demo/cuts3d_cad_tiny.py'
GOOD = [f'good_{i}.png' for i in range(4)]

extract = load_tool('extract_pseudo_masks')


# ------------------------------------------------------------------------------------------------ the corpus
def square_image(i: int, size=(64, 72)) -> np.ndarray:
    image = np.zeros((*size, 3), np.uint8)
    image[:] = (40, 140, 50)
    image[8 + 4 * i:40 + 4 * i, 10 + 6 * i:42 + 6 * i] = (220, 40, 30)
    return image


def square_depth(i: int, size=(64, 72)) -> np.ndarray:
    depth = np.full(size, 0.9, np.float32)
    depth[8 + 4 * i:40 + 4 * i, 10 + 6 * i:42 + 6 * i] = 0.3
    return depth


def write_good(images: Path, depth: Path | None = None) -> None:
    images.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(GOOD):
        Image.fromarray(square_image(i)).save(images / name)
        if depth is not None:
            depth.mkdir(parents=True, exist_ok=True)
            np.save(depth / name.replace('.png', '.npy'), square_depth(i))


@pytest.fixture(scope='module')
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp('corpus')
    write_good(root / 'images', root / 'depth')
    return root


def names_in(out: Path) -> list[str]:
    return sorted(Path(image['file_name']).name for image in json.loads(out.read_text())['images'])


def failures_in(out: Path) -> dict[str, str]:
    lines = out.with_name(out.stem + '.failures.jsonl').read_text().splitlines()
    return {record['file_name']: record['reason'] for record in map(json.loads, lines)}


def error_line(capsys, prog: str) -> str:
    """The tool's one stderr line (asserting it is one, and no traceback)."""
    err = capsys.readouterr().err.strip()
    assert 'Traceback' not in err and len(err.splitlines()) == 1, err
    assert err.startswith(f'{prog}: error:'), err
    return err


def run_extract(*args: str) -> int:
    return extract.main([CUTS3D, '--no-progress', *args])


# ------------------------------------------------------------------------------------------------ 1 concurrency
SLOW_DEPTH = """
    import time
    import numpy as np
    from cuts3d.registry import DEPTH_SOURCES

    @DEPTH_SOURCES.register_module(force=True)
    class SlowDepthForBadInputs:
        '''Constant depth, slowly: the run holds its work dir long enough to be disturbed.'''
        def __call__(self, image, meta):
            time.sleep(0.5)
            return np.full(image.shape[:2], 0.5, np.float32)
    """


def test_1_a_second_run_on_a_busy_work_dir_is_refused_and_a_killed_run_resumes(corpus, tmp_path, monkeypatch, capsys):
    plugin_dir = tmp_path / 'plugins'
    plugin_dir.mkdir()
    (plugin_dir / 'slow_depth_for_bad_inputs.py').write_text(textwrap.dedent(SLOW_DEPTH))
    config = tmp_path / 'slow.py'
    config.write_text(textwrap.dedent(f"""
        _base_ = ['{CUTS3D}']
        custom_imports = dict(imports=['slow_depth_for_bad_inputs'], allow_failed_imports=False)
        pseudo_mask_generator = dict(depth_source=dict(_delete_=True, type='SlowDepthForBadInputs'))
        """))
    monkeypatch.syspath_prepend(str(plugin_dir))
    out, work = tmp_path / 'out.json', tmp_path / 'work'
    args = [str(config), '--images', str(corpus / 'images'), '--out', str(out), '--work-dir', str(work),
            '--no-progress']
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join([str(plugin_dir), str(REPO)]), 'OMP_NUM_THREADS': '1'}
    first = subprocess.Popen([sys.executable, str(REPO / 'tools' / 'extract_pseudo_masks.py'), *args], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while f'"pid": {first.pid}' not in ((work / 'lock').read_text() if (work / 'lock').exists() else ''):
            assert first.poll() is None and time.monotonic() < deadline, 'the first run did not take the lock'
            time.sleep(0.05)
        assert extract.main(args) == 2
        assert f'is in use by another extraction (pid {first.pid} on ' in error_line(capsys, 'cuts3d extract')
        assert first.poll() is None  # the first run goes on undisturbed
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
        first.stderr.close()
    assert not out.exists()
    assert extract.main([*args, '--resume']) == 0  # the killed run's lock does not block --resume
    assert names_in(out) == GOOD


# ------------------------------------------------------------------------------------------------ 2 over inputs
def test_2_an_out_or_work_dir_over_or_inside_the_inputs_is_refused(corpus, tmp_path, capsys):
    image = corpus / 'images' / 'good_0.png'
    before = image.read_bytes()
    for args, message in [
        (['--out', str(image)], 'is inside the --images folder'),
        (['--out', str(tmp_path / 'o.json'), '--work-dir', str(corpus / 'images' / 'work')],
         '--work-dir .* is inside the --images folder'),
        (['--out', str(corpus / 'depth' / 'o.json'), '--depth', str(corpus / 'depth')], 'inside the --depth folder'),
        (['--out', CUTS3D], 'is the config file'),
    ]:
        assert run_extract('--images', str(corpus / 'images'), *args) == 2
        assert re.search(message, error_line(capsys, 'cuts3d extract'))
    assert run_extract('--images', str(image), '--out', str(image)) == 2  # one image as --images
    assert 'good_0.png is the --images file' in error_line(capsys, 'cuts3d extract')
    assert run_extract('--images', str(image), '--out', str(corpus / 'images' / 'o.json')) == 2
    assert 'inside a folder holding input images' in error_line(capsys, 'cuts3d extract')
    assert image.read_bytes() == before and not (corpus / 'images' / 'work').exists()


# ------------------------------------------------------------------------------------------------ 3 options
def test_3_readme_dict_options_work_and_bad_options_fail_before_any_image(corpus, tmp_path, capsys):
    images = str(corpus / 'images')
    stereo = "pseudo_mask_generator.depth_source={'type':'StereoDepth','right_root':'%s'}" % images
    assert run_extract('--images', images, '--out', str(tmp_path / 'a.json'), '--cfg-options', stereo) == 2
    line = error_line(capsys, 'cuts3d extract')
    assert "unexpected keyword argument 'value'" in line and "'_delete_':True" in line
    readme = "pseudo_mask_generator.depth_source={'_delete_':True,'type':'StereoDepth','right_root':'%s'}" % images
    assert run_extract('--images', images, '--out', str(tmp_path / 'b.json'), '--cfg-options', readme,
                       'pseudo_mask_generator.feature_extractor.input_size=(64,64)') == 0
    assert names_in(tmp_path / 'b.json') == GOOD
    info = json.loads((tmp_path / 'b.json').read_text())['info']['pseudo_mask_generator']
    assert info['depth_source']['type'] == 'StereoDepth' and info['feature_extractor']['input_size'] == [64, 64]

    for option, message in [('extraction.max_side=-5', 'extraction.max_side must be an integer >= 1'),
                            ('pseudo_mask_generator.depth_source=[1,2]', "'list' object is not callable")]:
        assert run_extract('--images', images, '--out', str(tmp_path / 'c.json'), '--cfg-options', option) == 2
        assert message in error_line(capsys, 'cuts3d extract')
    assert not (tmp_path / 'c.json').exists() and not (tmp_path / 'c.work').exists()

    (tmp_path / 'no_depth').mkdir()
    no_depth = str(tmp_path / 'no_depth')
    assert run_extract('--images', images, '--out', str(tmp_path / 'd.json'), '--depth', no_depth) == 1
    assert 'no image was written: all 4 failed' in capsys.readouterr().err
    assert sorted(failures_in(tmp_path / 'd.json')) == GOOD


# ------------------------------------------------------------------------------------------------ 4 unwritable
def test_4_unwritable_outputs_are_found_at_start(corpus, tmp_path, capsys):
    a_file = tmp_path / 'a_file'
    a_file.write_text('x')
    for out, message in [(a_file / 'out.json', 'is a file, not a folder'),
                         (Path('/proc/cuts3d_out.json'), 'cannot write in /proc')]:
        assert run_extract('--images', str(corpus / 'images'), '--out', str(out),
                           '--work-dir', str(tmp_path / 'work')) == 2
        assert message in error_line(capsys, 'cuts3d extract')
    assert not (tmp_path / 'work' / 'manifest.json').exists()


def test_4_a_read_only_folder_is_found_at_start(corpus, tmp_path, capsys, read_only_dir):
    assert run_extract('--images', str(corpus / 'images'), '--out', str(read_only_dir / 'out.json'),
                       '--work-dir', str(tmp_path / 'work')) == 2
    assert 'cannot write in' in error_line(capsys, 'cuts3d extract')
    assert not (tmp_path / 'work' / 'manifest.json').exists()


def test_4_a_late_full_disk_keeps_the_parts_and_resume_finishes(corpus, tmp_path, capsys, monkeypatch):
    out = tmp_path / 'out.json'
    args = ['--images', str(corpus / 'images'), '--depth', str(corpus / 'depth'), '--out', str(out)]

    def no_space(*_, **__):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(out))

    monkeypatch.setattr(runner_module, 'write_coco_json', no_space)
    assert run_extract(*args) == 1
    err = capsys.readouterr().err
    assert 'No space left on device' in err and 'rerun the same command with --resume' in err
    assert 'Traceback' not in err and not out.exists()
    monkeypatch.undo()
    assert run_extract(*args, '--resume') == 0
    assert names_in(out) == GOOD and 'skipped 4 already done' in capsys.readouterr().out


def test_4_a_real_full_disk(corpus, tmp_path, capsys, small_disk):
    (small_disk / 'filler').write_bytes(b'x' * (60 * 1024))  # one page left: the start-up probe fits, the json not
    out = small_disk / 'out.json'
    args = ['--images', str(corpus / 'images'), '--depth', str(corpus / 'depth'), '--out', str(out),
            '--work-dir', str(tmp_path / 'work')]
    assert run_extract(*args) == 1
    assert 'No space left on device' in capsys.readouterr().err
    (small_disk / 'filler').unlink()
    assert run_extract(*args, '--resume') == 0 and names_in(out) == GOOD


# ------------------------------------------------------------------------------------------------ 5 content
def test_5_content_failures_in_a_row_never_abort_and_wide_images_work(tmp_path, capsys):
    images, depth = tmp_path / 'images', tmp_path / 'depth'
    write_good(images, depth)
    wide = np.zeros((20, 5000, 3), np.uint8)
    wide[:] = (40, 140, 50)
    wide[4:16, 1000:1400] = (220, 40, 30)
    for i in range(5):
        Image.fromarray(wide).save(images / f'a_wide_{i}.png')
        np.save(depth / f'a_wide_{i}.npy', np.where(wide[..., 0] > 100, 0.3, 0.9).astype(np.float32))
    for i in range(6):  # generator failures, one after another, before the good images
        Image.fromarray(square_image(i % 4)).save(images / f'b_bad_depth_{i}.png')
        (depth / f'b_bad_depth_{i}.npy').write_bytes(b'not a numpy file')
    out = tmp_path / 'out.json'
    assert run_extract('--images', str(images), '--depth', str(depth), '--out', str(out)) == 3
    assert names_in(out) == [f'a_wide_{i}.png' for i in range(5)] + GOOD
    data = json.loads(out.read_text())
    assert all((img['width'], img['height']) == (5000, 20) for img in data['images'][:5])
    failures = failures_in(out)
    assert sorted(failures) == [f'b_bad_depth_{i}.png' for i in range(6)]
    assert all(f'{depth}/b_bad_depth_' in reason and 'not a readable .npy' in reason for reason in failures.values())
    err = capsys.readouterr().err
    assert '6 of 15 image(s) failed' in err and 'aborted' not in err


# ------------------------------------------------------------------------------------------------ 6 depth lookup
def test_6_two_images_never_share_one_depth_map(tmp_path, capsys):
    images, depth = tmp_path / 'images', tmp_path / 'depth'
    write_good(images, depth)
    for sub, i in (('a', 0), ('b', 1)):
        (images / 'sub' / sub).mkdir(parents=True)
        Image.fromarray(square_image(i)).save(images / 'sub' / sub / 'x.png')
    np.save(depth / 'x.npy', square_depth(0))  # stem-keyed: could be either image's
    out = tmp_path / 'out.json'
    assert run_extract('--images', str(images), '--depth', str(depth), '--out', str(out)) == 3
    assert names_in(out) == GOOD
    reasons = list(failures_in(out).values())
    assert len(reasons) == 2 and all('other images of this run have the same name' in r for r in reasons)
    for sub, i in (('a', 0), ('b', 1)):  # a mirrored tree tells them apart
        (depth / 'sub' / sub).mkdir(parents=True)
        np.save(depth / 'sub' / sub / 'x.npy', square_depth(i))
    assert run_extract('--images', str(images), '--depth', str(depth), '--out', str(out), '--resume') == 0
    data = json.loads(out.read_text())
    assert sorted(img['file_name'] for img in data['images']) == GOOD + ['sub/a/x.png', 'sub/b/x.png']


# ------------------------------------------------------------------------------------------------ 7 json files
@pytest.fixture(scope='module')
def pseudo_masks(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp('pseudo') / 'pseudo.json'
    assert run_extract('--images', str(corpus / 'images'), '--depth', str(corpus / 'depth'), '--out', str(out)) == 0
    return json.loads(out.read_text())


@pytest.mark.parametrize('change, message', [
    (lambda d, a: a.update(bbox=[1.0, 2.0, -3.0, 4.0]), 'negative width or height'),
    (lambda d, a: a.update(image_id=999), 'image_id 999 is not in "images"'),
    (lambda d, a: a['segmentation'].update(size=[10, 10]), r'RLE size \[10, 10\] is not'),
    (lambda d, a: a['segmentation'].update(counts='!!!garbage'), 'RLE counts cannot be decoded'),
    (lambda d, a: a.update(score=float('nan')), 'score nan is not a finite number'),
])
def test_7_evaluation_refuses_invalid_predictions(pseudo_masks, tmp_path, capsys, change, message):
    gt, good = tmp_path / 'gt.json', tmp_path / 'good.json'
    gt.write_text(json.dumps(pseudo_masks))
    good.write_text(json.dumps(pseudo_masks))
    evaluate = load_tool('eval_pseudo_masks').main
    assert evaluate([str(good), str(gt)]) == 0
    capsys.readouterr()
    bad = copy.deepcopy(pseudo_masks)
    change(bad, bad['annotations'][0])
    for pseudo_path, gt_path in ((tmp_path / 'bad.json', gt), (good, tmp_path / 'bad.json')):
        (tmp_path / 'bad.json').write_text(json.dumps(bad))
        assert evaluate([str(pseudo_path), str(gt_path)]) == 2
        line = error_line(capsys, 'cuts3d eval')
        assert f'bad.json: annotation {bad["annotations"][0]["id"]}' in line and re.search(message, line)


@pytest.fixture(scope='module')
def detector_data(tmp_path_factory):
    return write_tiny_dataset(tmp_path_factory.mktemp('detector'), num_images=2, size=64)


@pytest.mark.parametrize('change, message', [
    (lambda d: d.update(annotations=[]), 'pseudo_masks.json: has no annotations'),
    (lambda d: d['annotations'][0].pop('segmentation'), 'has no segmentation'),
    (lambda d: d['annotations'][0].update(image_id=77), 'image_id 77 is not in "images"'),
])
def test_7_training_refuses_a_json_it_cannot_train_on(detector_data, tmp_path, capsys, change, message):
    root = tmp_path / 'data'
    root.mkdir()
    (root / 'images').symlink_to(detector_data / 'images')
    (root / 'annotations.json').write_text((detector_data / 'annotations.json').read_text())
    pseudo = json.loads((detector_data / 'pseudo_masks.json').read_text())
    change(pseudo)
    (root / 'pseudo_masks.json').write_text(json.dumps(pseudo))
    code = load_tool('train').main([DETECTOR, '--work-dir', str(tmp_path / 'work'), '--cfg-options',
                                    *data_options(root)])
    assert code == 2 and message in error_line(capsys, 'cuts3d train')


# ------------------------------------------------------------------------------------------------ 8 checkpoints
@pytest.fixture(scope='module')
def detector_state():
    cfg = Config.fromfile(str(REPO / DETECTOR))
    init_default_scope(cfg.get('default_scope', 'cuts3d'))
    torch.manual_seed(0)
    return MODELS.build(cfg.model).state_dict()


def test_8_test_py_refuses_unreadable_foreign_and_partial_checkpoints(detector_data, detector_state, tmp_path, capsys):
    text = tmp_path / 'text.pth'
    text.write_text('hello, I am not a checkpoint\n')
    foreign = tmp_path / 'foreign.pth'
    torch.save({'state_dict': {'backbone.blocks.0.weight': torch.zeros(3)}}, foreign)
    partial = tmp_path / 'partial.pth'
    torch.save({'state_dict': {k: v for k, v in detector_state.items() if not k.startswith('roi_head.mask_head')}},
               partial)
    test = load_tool('test').main
    common = ['--gt', str(detector_data / 'annotations.json'), '--images', str(detector_data / 'images'),
              '--work-dir', str(tmp_path / 'work')]
    for checkpoint, message in [(text, 'is a text file'), (foreign, 'matches none of the model'),
                                (partial, 'lacks .* --allow-partial')]:
        assert test([DETECTOR, str(checkpoint), *common]) == 2
        assert re.search(message, error_line(capsys, 'cuts3d test'))
    metrics = tmp_path / 'metrics.json'
    assert test([DETECTOR, str(partial), *common, '--allow-partial', '--out', str(metrics)]) == 0
    assert 'initial values (--allow-partial)' in capsys.readouterr().err and metrics.is_file()


# ------------------------------------------------------------------------------------------------ 9 visualize
def test_9_visualize_skips_and_lists_unreadable_images(corpus, tmp_path, capsys):
    images = tmp_path / 'images'
    write_good(images)
    (images / 'a_broken.png').write_bytes(b'\x89PNG broken')
    out = tmp_path / 'vis'
    assert load_tool('visualize').main([CUTS3D, '--images', str(images), '--num', '2', '--out', str(out)]) == 3
    err = capsys.readouterr().err
    assert 'skipped a_broken.png: ImageLoadError' in err and 'Traceback' not in err
    page = (out / 'index.html').read_text()
    assert 'Skipped: a_broken.png' in page and '>good_0.png<' in page and '>good_1.png<' in page


def test_9_visualize_reports_a_checkpoint_error_in_one_line(corpus, tmp_path, capsys):
    text = tmp_path / 'dino.pth'
    text.write_text('not weights\n')
    code = load_tool('visualize').main([
        CUTS3D, '--images', str(corpus / 'images'), '--out', str(tmp_path / 'vis'), '--cfg-options',
        "pseudo_mask_generator.feature_extractor={'_delete_':True,'type':'DINOFeatures','arch':'vit_small',"
        f"'patch_size':16,'input_size':(64,64),'checkpoint':'{text}'}}"])
    assert code == 2 and 'dino.pth is a text file' in error_line(capsys, 'cuts3d visualize')


# ------------------------------------------------------------------------------------------------ 10 smaller
def test_10_help_bad_options_syntax_errors(corpus, tmp_path, capsys):
    with pytest.raises(SystemExit) as done:
        load_tool('make_synthetic_scenes').parse_args(['--help'])
    assert done.value.code == 0 and 'kinds[i % len(kinds)]' in ' '.join(capsys.readouterr().out.split())
    with pytest.raises(SystemExit) as done:
        extract.parse_args([CUTS3D, '--images', 'x', '--out', 'y', '--cfg-options', 'no_equals_sign'])
    err = capsys.readouterr().err
    assert done.value.code == 2 and "'no_equals_sign' is not KEY=VALUE" in err and 'Traceback' not in err
    broken = tmp_path / 'broken.py'
    broken.write_text("_base_ = ['%s']\npseudo_mask_generator = dict(num_cuts=2\n" % CUTS3D)
    assert extract.main([str(broken), '--images', str(corpus / 'images'), '--out', str(tmp_path / 'o.json')]) == 2
    assert f'{broken}:2: syntax error' in error_line(capsys, 'cuts3d extract')
