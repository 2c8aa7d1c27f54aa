"""The pipelined runner writes the serial runner's files byte for byte, and keeps its failure rules."""
import json
import os

import numpy as np
import pytest
from mmengine.config import Config
from PIL import Image

import pipeline_components  # noqa: F401 - registers the failing components (a plugin, as far as workers know)
from cuts3d.pseudo import pipeline as pipeline_module
from cuts3d.pseudo.image_list import list_images
from cuts3d.pseudo.part_files import PartWriter
from cuts3d.pseudo.pipeline import WORKER_DIED, PipelineSettings, resolve_settings
from cuts3d.pseudo.runner import ExtractionRunner, ExtractionSetupError, failures_path
from cuts3d.pseudo.work_dir_lock import WorkDirLock, WorkDirLockedError

CONFIGS = os.path.join(os.path.dirname(__file__), '..', '..', 'configs', 'demo')
CUTLER = os.path.join(CONFIGS, 'extract_cutler_tiny.py')
CUTS3D = os.path.join(CONFIGS, 'extract_cuts3d_tiny.py')
MAGENTA = (255, 0, 255)


def write_images(folder, count=7, marked=None):
    """Squares at seeded places on a green ground in several sizes and colour modes (one in a subfolder, one
    EXIF-rotated JPEG, one grayscale, one larger than max_side), a corrupt and a too-small file; image ``marked``
    (an index) carries the magenta corner that pipeline_components' faults react to. Returns the items and a depth
    folder with a depth map for each good image but ``img5``."""
    rng = np.random.default_rng(3)
    folder.mkdir(parents=True)
    depth_dir = folder.parent / 'depth'
    depth_dir.mkdir()
    for i in range(count):
        size = (64, 96) if i % 3 else (80, 60)
        if i == 4:
            size = (150, 200)  # above max_side=128 below: processed downscaled, written at full size
        image = np.zeros((*size, 3), np.uint8)
        image[:] = (40, 140, 50)
        y, x = rng.integers(4, min(size) - 28, 2)
        image[y:y + 24, x:x + 24] = (220, 40, 30)
        image[y + 6:y + 18, x + 30:x + 40] = (30, 40, 200)
        if i == marked:
            image[:16, :16] = MAGENTA
        sub = folder / ('sub' if i == 1 else '')
        sub.mkdir(exist_ok=True)
        name = sub / f'img{i}.png'
        if i == 2:
            exif = Image.Exif()
            exif[0x0112] = 6  # rotated: the decoder turns it upright
            Image.fromarray(image).save(name.with_suffix('.jpg'), exif=exif, quality=95)
        elif i == 3:
            Image.fromarray(image).convert('L').save(name)
        else:
            Image.fromarray(image).save(name)
        if i != 5:
            rel = os.path.relpath(name, folder)
            depth = np.tile(np.linspace(0.2, 0.9, size[1], dtype=np.float32), (size[0], 1))
            depth[y:y + 24, x:x + 24] = 0.1
            target = depth_dir / os.path.splitext(rel)[0]
            target.parent.mkdir(parents=True, exist_ok=True)
            np.save(f'{target}.npy', depth.T if i == 2 else depth)
    (folder / 'corrupt.png').write_bytes(b'\x89PNG not really')
    Image.fromarray(np.zeros((5, 5, 3), np.uint8)).save(folder / 'tiny.png')
    return list_images(folder)[1], depth_dir


def generator(config, **changes):
    cfg = Config.fromfile(config).pseudo_mask_generator
    for key, value in changes.items():
        cfg[key] = value
    return cfg


def extract(cfg, items, out, **options):
    """Run the extraction; returns (json bytes, failures as (file_name, reason))."""
    options = dict(dict(progress=False, min_side=8, max_side=128, pipeline=True), **options)
    summary = ExtractionRunner(cfg, items, str(out), **options).run()
    failures = [json.loads(line) for line in open(failures_path(str(out)))]
    return out.read_bytes(), [(f['file_name'], f['reason']) for f in failures], summary


PIPELINES = [dict(batch_size=1, loader_workers=0, cut_workers=1), dict(batch_size=3, loader_workers=1, cut_workers=2)]


@pytest.mark.parametrize('pipeline', PIPELINES)
def test_cutler_pipeline_writes_the_serial_files(tmp_path, pipeline):
    items, _ = write_images(tmp_path / 'imgs')
    serial = extract(generator(CUTLER), items, tmp_path / 'serial.json', pipeline=False)
    piped = extract(generator(CUTLER), items, tmp_path / 'piped.json', **pipeline)
    assert piped[:2] == serial[:2]
    assert [name for name, _ in serial[1]] == ['corrupt.png', 'tiny.png']
    assert piped[2].processed == 7 and piped[2].failed_here == 2
    assert set(piped[2].stage_seconds) >= {'load', 'features', 'cut', 'partition', 'refine', 'encode'}
    assert {image['file_name']: (image['width'], image['height']) for image in json.loads(piped[0])['images']}[
        'img4.png'] == (200, 150)


def test_cuts3d_with_depth_files_in_the_workers_writes_the_serial_files(tmp_path):
    items, depth_dir = write_images(tmp_path / 'imgs')
    cfg = generator(CUTS3D, depth_source=dict(type='FileDepth', root=str(depth_dir)))
    serial = extract(cfg, items, tmp_path / 'serial.json', pipeline=False)
    piped = extract(cfg, items, tmp_path / 'piped.json', batch_size=2, loader_workers=1, cut_workers=2)
    assert piped[:2] == serial[:2]
    assert [name for name, _ in piped[1]] == ['corrupt.png', 'img5.png', 'tiny.png']
    assert dict(piped[1])['img5.png'].startswith('CompanionNotFoundError: no depth file')
    assert json.loads(piped[0])['annotations']


def test_a_network_depth_source_runs_batched_in_the_main_process(tmp_path, tiny_depth_models):
    items, _ = write_images(tmp_path / 'imgs', count=5)
    cfg = generator(CUTS3D, depth_source=dict(type='DepthAnythingV2', model=tiny_depth_models['DepthAnythingV2'],
                                              batch_size=4))
    serial = extract(cfg, items, tmp_path / 'serial.json', pipeline=False)
    piped = extract(cfg, items, tmp_path / 'piped.json', batch_size=3, loader_workers=0, cut_workers=1)
    assert piped[:2] == serial[:2]


def test_an_image_failing_in_a_batched_forward_pass_fails_alone(tmp_path):
    items, _ = write_images(tmp_path / 'imgs', marked=6)
    cfg = generator(CUTLER, feature_extractor=dict(type='FeaturesFailingOnMarkedImage', patch_size=8,
                                                   input_size=(96, 96)))
    serial = extract(cfg, items, tmp_path / 'serial.json', pipeline=False)
    piped = extract(cfg, items, tmp_path / 'piped.json', batch_size=4, loader_workers=1, cut_workers=1)
    assert piped[:2] == serial[:2]
    assert dict(piped[1])['img6.png'] == 'RuntimeError: no features for the marked image'


def test_a_cut_worker_killed_on_an_image_fails_that_image_only(tmp_path):
    items, _ = write_images(tmp_path / 'imgs', marked=4)
    raising = generator(CUTLER, partitioner=dict(type='FaultOnMarkedImage', fault='raise'))
    serial = extract(raising, items, tmp_path / 'serial.json', pipeline=False)
    killing = generator(CUTLER, partitioner=dict(type='FaultOnMarkedImage', fault='kill'))
    piped = extract(killing, items, tmp_path / 'piped.json', batch_size=2, loader_workers=1, cut_workers=2)
    # every other image as in the serial run (the info records the configs, which differ)
    assert [{k: v for k, v in json.loads(out).items() if k != 'info'} for out in (piped[0], serial[0])] == \
        [{k: v for k, v in json.loads(serial[0]).items() if k != 'info'}] * 2
    assert piped[1] == [('corrupt.png', serial[1][0][1]), ('img4.png', WORKER_DIED), ('tiny.png', serial[1][2][1])]


def test_a_pool_broken_before_a_submission_reruns_the_image(tmp_path, monkeypatch):
    """A worker that dies between two submissions makes the pool refuse the next one: that image runs again too."""
    from concurrent.futures.process import BrokenProcessPool

    items, _ = write_images(tmp_path / 'imgs', count=4)
    serial = extract(generator(CUTLER), items, tmp_path / 'serial.json', pipeline=False)
    submit, refused = pipeline_module.CutPool.submit, []

    def refuse_img2_once(pool, task):
        if task.item.rel_path == 'img2.jpg' and not refused:
            refused.append(task.item.rel_path)
            raise BrokenProcessPool('a child process terminated abruptly')
        return submit(pool, task)

    monkeypatch.setattr(pipeline_module.CutPool, 'submit', refuse_img2_once)
    piped = extract(generator(CUTLER), items, tmp_path / 'piped.json', batch_size=2, loader_workers=1, cut_workers=2)
    assert refused == ['img2.jpg'] and piped[:2] == serial[:2]


def test_a_generator_the_workers_cannot_load_is_refused_before_any_image(tmp_path):
    items, _ = write_images(tmp_path / 'imgs', count=2)
    runner = ExtractionRunner(generator(CUTLER), items, str(tmp_path / 'o.json'), progress=False, pipeline=True)
    runner.generator.refiner.lock = __import__('threading').Lock()  # not picklable
    with pytest.raises(ExtractionSetupError, match='cannot be sent to the cut workers.*pipeline=False'):
        runner.run()
    assert not os.listdir(tmp_path / 'o.work' / 'parts')


def test_memory_stays_bounded_by_the_images_in_flight(tmp_path, monkeypatch):
    items, _ = write_images(tmp_path / 'imgs', count=9)
    settings = PipelineSettings(batch_size=2, loader_workers=1, cut_workers=1)
    submit, append = pipeline_module.CutPool.submit, PartWriter.append
    submitted, written = [], []
    monkeypatch.setattr(pipeline_module.CutPool, 'submit', lambda pool, task: submitted.append(1) or submit(pool, task))
    monkeypatch.setattr(PartWriter, 'append',
                        lambda part, record: written.append(len(submitted)) or append(part, record))
    monkeypatch.setattr(pipeline_module, 'resolve_settings', lambda **kwargs: settings)
    ExtractionRunner(generator(CUTLER), items, str(tmp_path / 'o.json'), progress=False, max_side=128,
                     pipeline=True).run()
    # 9 records and 2 failures; when the k-th is written, at most a batch more than max_in_flight were submitted
    assert len(written) == 11 and written[-1] == 9
    assert all(count - k <= settings.max_in_flight + settings.batch_size for k, count in enumerate(written))


def test_settings_for_cpu_and_gpu(monkeypatch):
    assert resolve_settings(device='cpu', cpus=2) == PipelineSettings(batch_size=1, loader_workers=1, cut_workers=1)
    assert resolve_settings(device='cpu', cpus=16).cut_workers == 4
    gpu = resolve_settings(device='cuda:0', cpus=16)
    assert (gpu.batch_size, gpu.loader_workers, gpu.cut_workers) == (8, 4, 11)
    assert resolve_settings(batch_size=3, loader_workers=0, cut_workers=5, device='cuda', cpus=2) == \
        PipelineSettings(batch_size=3, loader_workers=0, cut_workers=5, max_in_flight=13)
    assert resolve_settings(max_in_flight=4, device='cpu', cpus=2).max_in_flight == 4
    monkeypatch.setenv('LOCAL_WORLD_SIZE', '8')  # torchrun, 8 ranks on one machine share its CPUs
    assert pipeline_module.available_cpus() == max(1, len(os.sched_getaffinity(0)) // 8)


def test_the_work_dir_stays_locked_while_the_pipeline_writes(tmp_path, monkeypatch):
    items, _ = write_images(tmp_path / 'imgs', count=3)
    append, refused = PartWriter.append, []

    def append_while_a_second_run_tries(part, record):
        with pytest.raises(WorkDirLockedError, match=f'pid {os.getpid()}'):
            WorkDirLock(str(tmp_path / 'o.work')).acquire()
        refused.append(record['index'])
        append(part, record)

    monkeypatch.setattr(PartWriter, 'append', append_while_a_second_run_tries)
    summary = ExtractionRunner(generator(CUTLER), items, str(tmp_path / 'o.json'), progress=False, max_side=128,
                               pipeline=True, cut_workers=2, loader_workers=1, max_in_flight=2).run()
    assert len(refused) == 5 and summary.how.startswith('pipelined: ') and 'at most 2 image(s) in flight' in summary.how
    monkeypatch.undo()
    WorkDirLock(str(tmp_path / 'o.work')).acquire().release()  # released at the end


def test_auto_pipelines_features_on_a_gpu_and_runs_serially_on_a_cpu(tmp_path, monkeypatch):
    items, _ = write_images(tmp_path / 'imgs', count=2)
    serial = extract(generator(CUTLER), items, tmp_path / 'auto.json', pipeline='auto')[2]
    assert serial.how == "serially, one image after another (extraction.pipeline='auto' with the features on cpu)"
    monkeypatch.setattr(pipeline_module, 'extractor_device', lambda generator: 'cuda:0')  # as a GPU would say
    monkeypatch.setattr(pipeline_module, 'available_cpus', lambda: 4)
    piped = extract(generator(CUTLER), items, tmp_path / 'gpu.json', pipeline='auto')
    assert piped[2].how == ('pipelined: 8 image(s) per forward pass, 1 loader process(es), 2 cut worker process(es), '
                            'at most 12 image(s) in flight')
    assert piped[0] == (tmp_path / 'auto.json').read_bytes()
    with pytest.raises(ValueError, match="pipeline must be True, False or 'auto'"):
        ExtractionRunner(generator(CUTLER), items, str(tmp_path / 'x.json'), pipeline='yes')
