"""tools/benchmark.py cuts, in-process on 64 px features (8 x 8 grids); no timing is asserted."""
import queue
from pathlib import Path

from tool_modules import load_tool

REPO = Path(__file__).resolve().parents[2]
summarize = load_tool('cut_benchmark').summarize


def test_cut_measurement_covers_samples_scenes_cutters_and_the_reference(monkeypatch):
    benchmark = load_tool('benchmark')
    monkeypatch.syspath_prepend(str(REPO / 'tools'))  # as when run as a script: its libraries lie beside it
    monkeypatch.chdir(REPO)
    results = queue.Queue()
    benchmark.measure_cuts(dict(modes=['cutler'], solvers=['fast'], precisions=['float32', 'float64'], repeats=1,
                                threads=1, size=64, device='cpu', reference=True, cutler_root=None, scenes=1,
                                seed=1), results)
    rows = results.get_nowait()
    assert {row['cutter'] for row in rows} == {'fast', 'fast-float64', 'reference'}
    assert len(rows) == 3 * 11  # the 10 sample images and 1 rendered scene
    assert [line['images'] for line in summarize(rows)] == [11, 11, 11]


def test_cut_arguments_parse():
    benchmark = load_tool('benchmark')
    parser = benchmark.argparse.ArgumentParser()
    benchmark.add_cuts_arguments(parser)
    args = parser.parse_args(['--no-reference', '--solvers', 'fast', 'lobpcg', '--scenes', '4'])
    assert (args.reference, args.solvers, args.scenes, args.threads, args.size) == (False, ['fast', 'lobpcg'], 4,
                                                                                    1, 480)


def test_end_to_end_extraction_measures_both_runners_with_a_depth_model(monkeypatch, tiny_depth_models):
    benchmark = load_tool('benchmark')
    monkeypatch.syspath_prepend(str(REPO / 'tools'))
    results = queue.Queue()
    arch = dict(embed_dims=32, num_layers=2, num_heads=4, feedforward_channels=64)
    benchmark.measure_end_to_end(dict(mode='cuts3d', size=64, runners=['serial', 'pipelined'], images=3, threads=1,
                                      device='cpu', depth='model', arch=arch,
                                      depth_model=tiny_depth_models['DepthAnythingV2']), results)
    result = results.get_nowait()
    assert result['same_json'] and all(row['forward_images_per_s'] > 0 for row in result['rows'])
    serial, pipelined = result['rows']
    assert (serial['runner'], pipelined['runner']) == ('serial', 'pipelined')
    assert pipelined['how'].startswith('pipelined: ') and serial['images'] == pipelined['images'] == 3
    for row in result['rows']:
        assert 0 < row['device_busy'] <= 1 and row['peak_memory_mb'] > 0 and row['peak_gpu_mb'] is None
        assert {'load', 'features', 'depth', 'cut', 'partition', 'confidence', 'refine', 'encode'} \
            <= set(row['stage_images_per_s'])  # every stage ran: the random-weight graph is cut
        assert row['masks_per_image'] > 0
    assert 'pipelined' in load_tool('extraction_benchmark').format_end_to_end([result])


def test_the_gpu_mode_depth_model_has_the_released_small_architecture(tmp_path):
    from transformers import AutoModelForDepthEstimation

    directory = load_tool('extraction_benchmark').save_depth_anything_small(str(tmp_path / 'small'))
    model = AutoModelForDepthEstimation.from_pretrained(directory)
    assert type(model).__name__ == 'DepthAnythingForDepthEstimation'
    assert 24_000_000 < sum(p.numel() for p in model.parameters()) < 26_000_000  # Depth Anything V2 Small: 24.8 M
