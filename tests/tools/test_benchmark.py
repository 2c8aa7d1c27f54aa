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
