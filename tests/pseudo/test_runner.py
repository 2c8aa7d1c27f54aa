"""The extraction runner: failures recorded, interrupted runs resumed to the same file, work-dir safety."""
import errno
import json
import os

import numpy as np
import pytest
from mmengine.config import Config
from PIL import Image
from pycocotools.coco import COCO

from cuts3d.pseudo.image_list import list_images
from cuts3d.pseudo.part_files import PartWriter, read_records
from cuts3d.pseudo.dry_run import GeneratorConfigError
from cuts3d.pseudo import runner as runner_module
from cuts3d.pseudo.runner import ExtractionAbortedError, ExtractionRunner, ExtractionSetupError, failures_path
from cuts3d.pseudo.work_dir_lock import WorkDirLock

CONFIG = os.path.join(os.path.dirname(__file__), '..', '..', 'configs', 'demo', 'extract_cutler_tiny.py')
CUTS3D_CONFIG = os.path.join(os.path.dirname(__file__), '..', '..', 'configs', 'demo', 'extract_cuts3d_tiny.py')


def write_scenes(folder, count=6, size=(64, 96)):
    """Coloured squares on a green ground, some in a subfolder, plus a corrupt and a too-small image."""
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        image = np.zeros((*size, 3), np.uint8)
        image[:] = (40, 140, 50)
        y, x = rng.integers(4, size[0] - 28, 2)
        image[y:y + 24, x:x + 24] = (220, 40, 30)
        sub = folder / ('sub' if i % 2 else '')
        sub.mkdir(exist_ok=True)
        Image.fromarray(image).save(sub / f'img{i}.png')
    (folder / 'corrupt.jpg').write_bytes(b'\xff\xd8 not really a jpeg')
    Image.fromarray(np.zeros((5, 5, 3), np.uint8)).save(folder / 'tiny.png')
    return list_images(folder)[1]


def generator_cfg():
    return Config.fromfile(CONFIG).pseudo_mask_generator


def run(items, out, **kwargs):
    options = dict(progress=False, min_side=8)
    options.update(kwargs)
    return ExtractionRunner(generator_cfg(), items, str(out), **options).run()


class StopAfter:
    """Wraps a generator; raises KeyboardInterrupt on the call after ``count`` images, as Ctrl-C would."""

    def __init__(self, inner, count):
        self.inner, self.count = inner, count

    def __call__(self, image, meta):
        if self.count == 0:
            raise KeyboardInterrupt
        self.count -= 1
        return self.inner(image, meta)


def test_full_run_writes_coco_and_records_failures(tmp_path):
    items = write_scenes(tmp_path / 'imgs')
    out = tmp_path / 'out.json'
    summary = run(items, out)
    assert summary.processed == 6 and summary.failed_here == 2 and summary.images_written == 6
    assert summary.failures_total == 2 and summary.annotations_written > 0
    coco = COCO(str(out))
    names = {img['file_name']: img for img in coco.dataset['images']}
    assert sorted(names) == ['img0.png', 'img2.png', 'img4.png', 'sub/img1.png', 'sub/img3.png', 'sub/img5.png']
    # ids are the global sorted index + 1: corrupt.jpg is index 0, so img0.png is image 2
    assert names['img0.png']['id'] == 2 and names['img0.png']['width'] == 96 and names['img0.png']['height'] == 64
    assert [a['id'] for a in coco.dataset['annotations']] == list(range(1, summary.annotations_written + 1))
    failures = [json.loads(line) for line in open(failures_path(str(out)))]
    assert [f['file_name'] for f in failures] == ['corrupt.jpg', 'tiny.png']
    assert 'cannot decode image' in failures[0]['reason'] and 'smaller than min_side=8' in failures[1]['reason']


def test_interrupted_then_resumed_run_gives_the_same_bytes(tmp_path):
    items = write_scenes(tmp_path / 'imgs')
    run(items, tmp_path / 'reference.json')

    out = tmp_path / 'out.json'
    runner = ExtractionRunner(generator_cfg(), items, str(out), progress=False, min_side=8)
    runner.generator = StopAfter(runner.generator, 3)
    with pytest.raises(KeyboardInterrupt):
        runner.run()
    assert not out.exists()
    part = os.path.join(runner.work_dir, 'parts', 'results-rank00000.jsonl')
    done_before = [r['index'] for _, r in read_records(part)]
    with open(part, 'a') as handle:  # a kill during a write leaves half a line
        handle.write('{"index": 7, "file_name": "sub/im')

    summary = run(items, out, resume=True)
    assert summary.resumed == len(done_before) and summary.processed == 6 - len(done_before)
    assert out.read_bytes() == (tmp_path / 'reference.json').read_bytes()
    assert open(failures_path(str(out))).read() == open(failures_path(str(tmp_path / 'reference.json'))).read()
    indices = [r['index'] for _, r in read_records(part)]
    assert len(indices) == len(set(indices)) == 6


def test_resume_retries_failed_images(tmp_path):
    items = write_scenes(tmp_path / 'imgs')
    out = tmp_path / 'out.json'
    run(items, out)
    Image.fromarray(np.full((40, 40, 3), 200, np.uint8)).save(tmp_path / 'imgs' / 'corrupt.jpg', format='JPEG')
    summary = run(items, out, resume=True)
    assert summary.processed == 1 and summary.failures_total == 1 and summary.images_written == 7
    assert [json.loads(line)['file_name'] for line in open(failures_path(str(out)))] == ['tiny.png']


def test_a_fresh_run_replaces_the_parts_of_an_earlier_one(tmp_path):
    items = write_scenes(tmp_path / 'imgs')
    out = tmp_path / 'out.json'
    run(items, out)
    first = out.read_bytes()
    run(items, out)
    assert out.read_bytes() == first


def test_resume_refuses_a_work_dir_of_another_image_list(tmp_path):
    items = write_scenes(tmp_path / 'imgs')
    out = tmp_path / 'out.json'
    run(items, out)
    with pytest.raises(ExtractionAbortedError, match='belongs to another run .*images_sha256'):
        run(items[:-1], out, resume=True)


def test_a_generator_that_fails_on_a_synthetic_image_is_refused_before_the_work_dir(tmp_path):
    items = write_scenes(tmp_path / 'imgs')
    cfg = Config.fromfile(CUTS3D_CONFIG).pseudo_mask_generator
    cfg.depth_source = None  # LocalCut / Spatial Importance without depth: a configuration error
    with pytest.raises(GeneratorConfigError, match='fails on a synthetic .*needs depth'):
        ExtractionRunner(cfg, items, str(tmp_path / 'o.json'), progress=False)
    assert not (tmp_path / 'o.work').exists()


def test_failures_after_the_dry_run_never_abort_and_warn_once(tmp_path, capsys):
    items = write_scenes(tmp_path / 'imgs')
    good = {'img0.png', 'img2.png'}

    runner = ExtractionRunner(generator_cfg(), items, str(tmp_path / 'o.json'), progress=False,
                              warn_after_failures=3)
    inner = runner.generator

    def fails_but_on_two(image, meta):
        if meta['rel_path'] not in good:
            raise ValueError('an extreme image')
        return inner(image, meta)

    runner.generator = fails_but_on_two
    summary = runner.run()
    assert summary.images_written == 2 and summary.failures_total == len(items) - 2
    assert capsys.readouterr().err.count('failed on 3 images in a row') == 1


def test_huge_images_are_processed_downscaled_and_written_at_full_size(tmp_path):
    items = write_scenes(tmp_path / 'imgs', count=2, size=(64, 96))
    out = tmp_path / 'out.json'
    with pytest.warns(UserWarning, match='larger than max_side=48'):
        summary = run(items, out, max_side=48)
    assert summary.processed == 2
    data = json.loads(out.read_text())
    assert all((img['width'], img['height']) == (96, 64) for img in data['images'])
    assert all(ann['segmentation']['size'] == [64, 96] for ann in data['annotations'])


def test_bad_runner_arguments(tmp_path):
    with pytest.raises(ValueError, match='rank 2 is not in'):
        ExtractionRunner(generator_cfg(), [], str(tmp_path / 'o.json'), rank=2, world_size=2)
    with pytest.raises(ValueError, match='sc_levels'):
        ExtractionRunner(generator_cfg(), [], str(tmp_path / 'o.json'), sc_levels=0)


def test_a_run_without_resume_never_deletes_the_work_of_an_unfinished_run(tmp_path):
    items = write_scenes(tmp_path / 'imgs')
    out = tmp_path / 'out.json'
    runner = ExtractionRunner(generator_cfg(), items, str(out), progress=False, min_side=8)
    runner.generator = StopAfter(runner.generator, 3)
    with pytest.raises(KeyboardInterrupt):
        runner.run()
    part = os.path.join(runner.work_dir, 'parts', 'results-rank00000.jsonl')
    before = open(part, 'rb').read()
    with pytest.raises(ExtractionSetupError, match='holds 3 finished image.* --resume'):
        run(items, out)
    assert open(part, 'rb').read() == before
    assert run(items, out, resume=True).resumed == 3


def test_a_second_run_on_a_locked_work_dir_is_refused_and_changes_nothing(tmp_path):
    items = write_scenes(tmp_path / 'imgs')
    out = tmp_path / 'out.json'
    with WorkDirLock(str(tmp_path / 'out.work')):
        with pytest.raises(ExtractionSetupError, match=f'in use by another extraction \\(pid {os.getpid()} '):
            run(items, out)
    assert not out.exists() and not os.path.exists(tmp_path / 'out.work' / 'manifest.json')


def test_unwritable_outputs_are_refused_before_any_image(tmp_path, read_only_dir):
    items = write_scenes(tmp_path / 'imgs')
    with pytest.raises(ExtractionSetupError, match='--out .*cannot write in'):
        run(items, read_only_dir / 'out.json', work_dir=str(tmp_path / 'work'))
    assert not os.path.exists(tmp_path / 'work' / 'manifest.json')
    with pytest.raises(ExtractionSetupError, match='--work-dir .*cannot create folder'):
        run(items, tmp_path / 'out.json', work_dir=str(read_only_dir / 'work'))


def test_a_full_disk_at_the_merge_keeps_the_parts_and_says_how_to_finish(tmp_path, monkeypatch):
    items = write_scenes(tmp_path / 'imgs')
    run(items, tmp_path / 'reference.json')
    out = tmp_path / 'out.json'

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(out))

    monkeypatch.setattr(runner_module, 'write_coco_json', no_space)
    with pytest.raises(ExtractionAbortedError, match='No space left on device.*kept in .*rerun the same command '
                                                     'with --resume'):
        run(items, out)
    monkeypatch.undo()
    summary = run(items, out, resume=True)
    assert summary.processed == 0 and summary.resumed == 6  # the 2 failed images are retried (and fail again)
    assert out.read_bytes() == (tmp_path / 'reference.json').read_bytes()


def test_a_full_disk_while_appending_parts_keeps_what_was_written(tmp_path, monkeypatch):
    items = write_scenes(tmp_path / 'imgs')
    run(items, tmp_path / 'reference.json')
    append, written = PartWriter.append, []

    def fill_up(self, record):
        if len(written) == 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written.append(record)
        append(self, record)

    monkeypatch.setattr(PartWriter, 'append', fill_up)
    out = tmp_path / 'out.json'
    with pytest.raises(ExtractionAbortedError, match='writing the part files in .*No space left on device.*--resume'):
        run(items, out)
    monkeypatch.undo()
    done = len(list(read_records(str(tmp_path / 'out.work' / 'parts' / 'results-rank00000.jsonl'))))
    summary = run(items, out, resume=True)
    assert done >= 1 and summary.resumed == done
    assert out.read_bytes() == (tmp_path / 'reference.json').read_bytes()


def test_a_real_full_disk_at_the_merge(tmp_path, small_disk):
    items = write_scenes(tmp_path / 'imgs')
    run(items, tmp_path / 'reference.json')
    assert (tmp_path / 'reference.json').stat().st_size > 4096  # more than the one page left below
    (small_disk / 'filler').write_bytes(b'x' * (60 * 1024))  # one 4 KiB page left: the start-up probe fits
    out = small_disk / 'out.json'
    with pytest.raises(ExtractionAbortedError, match=f'writing {out} failed.*No space left on device.*--resume'):
        run(items, out, work_dir=str(tmp_path / 'work'))
    assert not out.exists() and sorted(os.listdir(small_disk)) == ['filler']  # no half-written json
    (small_disk / 'filler').unlink()
    run(items, out, work_dir=str(tmp_path / 'work'), resume=True)
    assert out.read_bytes() == (tmp_path / 'reference.json').read_bytes()
