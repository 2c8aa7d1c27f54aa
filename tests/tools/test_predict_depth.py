"""tools/predict_depth.py: depth PNGs per image (mirrored paths), resume, shards, failures, and --depth reading them."""
import json
import os

import numpy as np
import pytest
from PIL import Image
from tool_modules import load_tool

from cuts3d.depth import DPTDepth, FileDepth
from cuts3d.pseudo import DepthPredictionRunner, list_images

ROOT = os.path.join(os.path.dirname(__file__), '..', '..')
TABLE8_ZOEDEPTH = os.path.join(ROOT, 'configs', 'cuts3d', 'ablations', 'table8_zoedepth.py')
TABLE8_MARIGOLD = os.path.join(ROOT, 'configs', 'cuts3d', 'ablations', 'table8_marigold.py')
CUTS3D_TINY = os.path.join(ROOT, 'configs', 'demo', 'extract_cuts3d_tiny.py')

tool = load_tool('predict_depth')


@pytest.fixture
def images(tmp_path):
    """Three images in two folders, of two sizes, and one file no decoder reads."""
    rng = np.random.default_rng(0)
    folder = tmp_path / 'imgs'
    for rel, size in (('n01/a.JPEG', (40, 56)), ('n01/b.png', (48, 36)), ('n02/c.png', (40, 56))):
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(rng.integers(0, 256, (*size, 3), dtype=np.uint8)).save(folder / rel)
    (folder / 'n02' / 'broken.png').write_bytes(b'\x89PNG broken')
    return folder


@pytest.fixture
def dpt_config(tmp_path, tiny_depth_models):
    path = tmp_path / 'dpt.py'
    path.write_text(f"depth_source = dict(type='DPTDepth', model={tiny_depth_models['DPTDepth']!r})\n")
    return str(path)


def test_writes_mirrored_pngs_that_file_depth_reads_exactly(images, dpt_config, tiny_depth_models, tmp_path, capsys):
    out = tmp_path / 'depth'
    # broken.png failed, the others are written
    assert tool.main([dpt_config, '--images', str(images), '--out', str(out), '--no-progress']) == 3
    assert sorted(str(p.relative_to(out)) for p in out.rglob('*.png')) == ['n01/a.png', 'n01/b.png', 'n02/c.png']
    failures = [json.loads(line) for line in (tmp_path / 'depth.failures.jsonl').read_text().splitlines()]
    assert [f['file_name'] for f in failures] == ['n02/broken.png']
    info = json.loads((out / 'cuts3d_depth.json').read_text())
    assert info['num_maps'] == 3 and info['depth_source']['type'] == 'DPTDepth'
    assert 'wrote 3 of 4 depth maps' in capsys.readouterr().out
    source, files = DPTDepth(model=tiny_depth_models['DPTDepth']), FileDepth(str(out))
    for rel in ('n01/a.JPEG', 'n01/b.png', 'n02/c.png'):
        image = np.asarray(Image.open(images / rel).convert('RGB'))
        expected = source(image, {'rel_path': rel})
        np.testing.assert_allclose(files(image, {'rel_path': rel}), expected, atol=0.5 / 65534 + 1e-6)


def test_resume_skips_done_images_and_retries_failures(images, dpt_config, tmp_path, capsys):
    out = tmp_path / 'depth'
    tool.main([dpt_config, '--images', str(images), '--out', str(out), '--no-progress'])
    capsys.readouterr()
    assert tool.main([dpt_config, '--images', str(images), '--out', str(out), '--no-progress', '--resume']) == 3
    printed = capsys.readouterr().out
    assert 'processed 0 this run, skipped 3 already done' in printed  # broken.png retried (fails again)


def test_shards_over_ranks_give_the_files_of_one_process(images, tiny_depth_models, tmp_path):
    """Rank 1 then rank 0 (barriers are no-ops without a process group): the same bytes as one process."""
    _, items = list_images(str(images))
    cfg = dict(type='DPTDepth', model=tiny_depth_models['DPTDepth'])
    single = tmp_path / 'single'
    DepthPredictionRunner(cfg, items, str(single), progress=False).run()
    sharded, work = tmp_path / 'sharded', str(tmp_path / 'sharded.work')
    DepthPredictionRunner(cfg, items, str(sharded), work, rank=0, world_size=2, progress=False).run()
    DepthPredictionRunner(cfg, items, str(sharded), work, rank=1, world_size=2, progress=False, resume=True).run()
    summary = DepthPredictionRunner(cfg, items, str(sharded), work, rank=0, world_size=2, progress=False,
                                    resume=True).run()
    assert summary.images_written == 3 and summary.processed == 0
    for path in single.rglob('*.png'):
        assert (sharded / path.relative_to(single)).read_bytes() == path.read_bytes()


def test_table8_configs_predict_with_their_own_depth_models(images, tiny_depth_models, tmp_path):
    no_variant = 'pseudo_mask_generator.depth_source.variant=None'  # the tiny pipeline has no fp16 files
    for config, name, options in ((TABLE8_ZOEDEPTH, 'ZoeDepth', []), (TABLE8_MARIGOLD, 'MarigoldDepth', [no_variant])):
        out = tmp_path / name
        rc = tool.main([config, '--images', str(images / 'n01'), '--out', str(out), '--no-progress',
                        '--cfg-options', f'pseudo_mask_generator.depth_source.model={tiny_depth_models[name]}',
                        *options])
        assert rc == 0
        assert json.loads((out / 'cuts3d_depth.json').read_text())['depth_source']['type'] == name


def test_bad_input_is_a_one_line_error(images, tmp_path, capsys):
    assert tool.main([CUTS3D_TINY, '--images', str(images), '--out', str(tmp_path / 'd'),
                      '--cfg-options', 'pseudo_mask_generator.depth_source.type=FileDepth',
                      'pseudo_mask_generator.depth_source.root=x']) == 2
    assert tool.main([str(tmp_path / 'absent.py'), '--images', str(images), '--out', str(tmp_path / 'd')]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 2 and 'needs a model' in errors[0] and 'does not exist' in errors[1]
