"""Mask quality of pseudo-mask extraction on synthetic scenes with ground truth (``tools/benchmark.py quality``).

Each case is a pseudo-mask generator config (MaskCut or CutS3D, with one part changed) run on scenes rendered by
:mod:`cuts3d.utils.synthetic_images` with their true depth; its masks are written as a pseudo-mask file (the same
:func:`~cuts3d.pseudo.coco_writer.annotation_from_instance` the extraction tool uses) and scored with the project's
class-agnostic COCO evaluation (:func:`~cuts3d.evaluation.pseudo_mask_eval.evaluate_pseudo_masks`, what
``tools/eval_pseudo_masks.py`` runs), per scene kind. Beside mask AP and AP50 a case reports:

- ``sc_auroc``: how well the pixel Spatial Confidence predicts "this mask pixel is correct" (the pixel belongs to
  the ground-truth object the mask overlaps most; every pixel of a mask that overlaps none is wrong), as the area
  under the ROC curve over all mask pixels of the kind (0.5: SC carries no information; NaN: SC is constant or
  every pixel is right);
- the refiner's record: how many patch masks it discarded (DenseCRF's IoU < 0.5 rule) and how many of those
  were good (IoU >= 0.5 with an object before refinement), the mean IoU of the kept ones with their matched object
  before and after refinement, and ``bleed``, the share of the pixels the refiner added that belong
  to another object (the CRF sees only colour, so it can spread over a touching object of the same colour);
- ``edges`` and ``->SI``: the share of node pairs above the NCut threshold ``tau`` in the first cut of an image,
  before and after the affinity modifiers (Spatial Importance), averaged over the scenes;
- the loop's decisions per cut (``provenance['decision']`` of the generator's :attr:`cut_log`, when it keeps one).

Scenes depend only on ``(kind, seed, index, size)``, so tuning on some seeds and reporting on others is a matter of
``--seeds``; the same arguments give the same numbers. ``--out-dir`` also writes each case's pseudo-mask file and
the ground truth of every kind, so a number can be re-checked with ``tools/eval_pseudo_masks.py``.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.ndimage import gaussian_filter
from scipy.stats import rankdata

from cuts3d.evaluation.pseudo_mask_eval import evaluate_pseudo_masks
from cuts3d.pseudo.coco_writer import annotation_from_instance, image_entry
from cuts3d.registry import FEATURE_EXTRACTORS, PSEUDO_MASK_GENERATORS, build_component
from cuts3d.structures import Instance, PatchFeatures
from cuts3d.utils.mask_ops import mask_iou
from cuts3d.utils.synthetic_images import SyntheticScene, generate_scene, scene_annotations

FEATURES = {
    'patch_color': lambda size: dict(type='PatchColorFeatures', patch_size=8, input_size=(size, size)),
    'efficientnet': lambda size: dict(type='EfficientNetLite0Features', stride=8, input_size=(size, size)),
}
# Generator variants: a base pseudo-mask config and dotted overrides of its ``pseudo_mask_generator``.
VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    'maskcut': ('maskcut', {}),
    'cuts3d': ('cuts3d', {}),
    'cuts3d_no_si': ('cuts3d', {'cutter.affinity_modifiers': []}),
    'cuts3d_no_crf': ('cuts3d', {'refiner': dict(_delete_=True, type='NoRefiner')}),
    'cuts3d_no_si_no_crf': ('cuts3d', {'cutter.affinity_modifiers': [],
                                       'refiner': dict(_delete_=True, type='NoRefiner')}),
    'maskcut_no_crf': ('maskcut', {'refiner': dict(_delete_=True, type='NoRefiner')}),
}
SC_LEVELS = 6


@dataclass(frozen=True)
class BenchmarkScene:
    """One rendered scene and where it comes from; ``file_name`` is unique per ``(kind, seed, index)``."""

    kind: str
    seed: int
    index: int
    scene: SyntheticScene

    @property
    def file_name(self) -> str:
        return f'{self.kind}/s{self.seed}_{self.index:03d}.png'


def benchmark_scenes(kinds: tuple[str, ...], seeds: tuple[int, ...], per_kind: int, size: int
                     ) -> list[BenchmarkScene]:
    """``per_kind`` scenes of every kind for every seed (scene ``i`` of seed ``s``: ``generate_scene(i, s)``)."""
    return [BenchmarkScene(kind, seed, index, generate_scene(index, seed=seed, size=size, kinds=(kind, )))
            for kind in kinds for seed in seeds for index in range(per_kind)]


class SceneDepth:
    """Depth source that returns the depth of the scene being cut (set :attr:`depth` before each call).

    ``blur`` (pixels, 0: the true depth) smooths the depth with a Gaussian, as monocular estimators smooth depth
    across object borders: a step becomes a ramp a few pixels wide, which is where Spatial Confidence is meant to
    see a vague boundary.
    """

    def __init__(self, blur: float = 0.0) -> None:
        self.blur = float(blur)
        self.depth: np.ndarray | None = None

    def set(self, depth: np.ndarray) -> None:
        self.depth = gaussian_filter(depth, self.blur, mode='nearest') if self.blur > 0 else depth

    def __call__(self, image: np.ndarray, meta: dict) -> np.ndarray:
        if self.depth is None:
            raise ValueError('SceneDepth: no scene depth set')
        return self.depth


class CachedFeatures:
    """A feature extractor that computes each distinct image once (every case cuts the same scenes)."""

    def __init__(self, extractor: Any) -> None:
        self.extractor = extractor
        self._cache: dict[str, PatchFeatures] = {}

    def __call__(self, image: np.ndarray) -> PatchFeatures:
        key = hashlib.sha256(np.ascontiguousarray(image).tobytes()).hexdigest()
        if key not in self._cache:
            self._cache[key] = self.extractor(image)
        return self._cache[key]


class RecordingRefiner:
    """Wraps a refiner and keeps every call's input mask and result (None: discarded) for the current scene."""

    def __init__(self, refiner: Any) -> None:
        self.refiner = refiner
        self.calls: list[tuple[np.ndarray, np.ndarray | None]] = []

    @property
    def uses_depth(self) -> bool:
        return bool(getattr(self.refiner, 'uses_depth', False))

    def __call__(self, image: np.ndarray, mask: np.ndarray, **kwargs: Any) -> np.ndarray | None:
        result = self.refiner(image, mask, **kwargs)
        self.calls.append((np.asarray(mask, dtype=bool), None if result is None else np.asarray(result, bool)))
        return result


class RecordingModifiers:
    """Wraps a cutter's affinity modifiers and records, per cut, the share of node pairs above the cutter's
    binarisation threshold ``tau`` before and after them (how far Spatial Importance floods the graph)."""

    def __init__(self, cutter: Any) -> None:
        self.tau = float(cutter.tau)
        self.modifiers = list(cutter.affinity_modifiers)
        self.records: list[tuple[float, float]] = []

    @property
    def claim_invariant(self) -> bool:
        """As the wrapped modifiers: then the cutter modifies an image's affinity once, in its first cut."""
        return all(getattr(modifier, 'claim_invariant', False) for modifier in self.modifiers)

    def __call__(self, affinity: np.ndarray, context: Any) -> np.ndarray:
        before = affinity
        for modifier in self.modifiers:
            affinity = modifier(affinity, context)
        self.records.append((float((before > self.tau).mean()), float((affinity > self.tau).mean())))
        return affinity


def auroc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve of ``scores`` for bool ``labels`` (Mann-Whitney U with tied ranks); NaN if one
    class is empty."""
    labels = np.asarray(labels, dtype=bool)
    positives, negatives = int(labels.sum()), int((~labels).sum())
    if positives == 0 or negatives == 0:
        return float('nan')
    ranks = rankdata(np.asarray(scores, dtype=np.float64))
    return float((ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def matched_object(mask: np.ndarray, objects: list[np.ndarray]) -> tuple[int, float]:
    """Index and IoU of the ground-truth object ``mask`` overlaps most (``(-1, 0.0)`` when it overlaps none)."""
    ious = [mask_iou(mask, obj) for obj in objects]
    if not ious or max(ious) == 0:
        return -1, 0.0
    best = int(np.argmax(ious))
    return best, ious[best]


def pixel_correctness(instance: Instance, objects: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """``(SC, correct)`` of every pixel of ``instance.mask``: correct = inside the matched object."""
    best, _ = matched_object(instance.mask, objects)
    inside = instance.mask
    correct = objects[best][inside] if best >= 0 else np.zeros(int(inside.sum()), dtype=bool)
    return instance.confidence[inside], correct


def refiner_record(calls: list[tuple[np.ndarray, np.ndarray | None]], objects: list[np.ndarray]) -> dict:
    """Totals over one scene's refiner calls (objects at the refiner's resolution)."""
    record = Counter()
    labels = np.zeros(objects[0].shape, dtype=np.int32) if objects else None
    for k, obj in enumerate(objects, start=1):
        labels[obj] = k
    for before, after in calls:
        record['calls'] += 1
        best, iou_before = matched_object(before, objects)
        if after is None:
            record['discarded'] += 1
            record['discarded_good'] += int(iou_before >= 0.5)
            continue
        record['iou_before'] += iou_before
        record['iou_after'] += mask_iou(after, objects[best]) if best >= 0 else 0.0
        added = after & ~before
        record['added'] += int(added.sum())
        if best >= 0:
            record['bleed'] += int((added & (labels > 0) & (labels != best + 1)).sum())
    return dict(record)


@dataclass
class CaseResult:
    """What one generator config did on the scenes of each kind."""

    name: str
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    seconds: float = 0.0


def generator_config(base: dict, overrides: dict[str, Any], features: dict, depth: SceneDepth | None) -> dict:
    """``base`` (a ``pseudo_mask_generator`` dict) with dotted ``overrides``, the features and the scene depth."""
    from mmengine.config import Config

    cfg = Config(dict(pseudo_mask_generator=copy.deepcopy(base)))
    cfg.merge_from_dict({f'pseudo_mask_generator.{key}': value for key, value in overrides.items()})
    generator = cfg.to_dict()['pseudo_mask_generator']
    generator['feature_extractor'] = features
    if generator.get('depth_source') is not None:
        generator['depth_source'] = depth
    return generator


def run_case(name: str, generator_cfg: dict, scenes: list[BenchmarkScene], depth: SceneDepth,
             features: CachedFeatures, out_dir: Path | None = None) -> CaseResult:
    """Cut every scene with one generator config and score the result per scene kind."""
    generator = build_component(dict(generator_cfg, feature_extractor=features), PSEUDO_MASK_GENERATORS)
    recorder = RecordingRefiner(generator.refiner)
    generator.refiner = recorder
    modifiers = None
    if getattr(generator.cutter, 'affinity_modifiers', None):
        modifiers = RecordingModifiers(generator.cutter)
        generator.cutter.affinity_modifiers = [modifiers]
    per_kind: dict[str, dict[str, Any]] = defaultdict(lambda: dict(images=[], annotations=[], sc=[], correct=[],
                                                                   refiner=Counter(), decisions=Counter(),
                                                                   edges=[]))
    start = time.perf_counter()
    for item in scenes:
        depth.set(item.scene.depth)
        recorder.calls = []
        if modifiers is not None:
            modifiers.records = []
        instances = generator(item.scene.image, {'img_path': item.file_name, 'rel_path': item.file_name})
        store = per_kind[item.kind]
        image_id = len(store['images']) + 1
        store['images'].append(image_entry(image_id, item.file_name, item.scene.image.shape[1],
                                           item.scene.image.shape[0]))
        for instance in instances:
            annotation = annotation_from_instance(instance, SC_LEVELS)
            store['annotations'].append(dict(annotation, id=len(store['annotations']) + 1, image_id=image_id))
            sc, correct = pixel_correctness(instance, item.scene.masks)
            store['sc'].append(sc)
            store['correct'].append(correct)
        store['refiner'].update(refiner_record(recorder.calls, _at_size(item.scene.masks, generator)))
        if modifiers is not None and modifiers.records:
            store['edges'].append(modifiers.records[0])  # the first cut: every patch active
        for cut in getattr(generator, 'cut_log', []):
            store['decisions'][cut.get('decision', 'unknown')] += 1
    result = CaseResult(name, seconds=time.perf_counter() - start)
    for kind, store in per_kind.items():
        kind_scenes = [item for item in scenes if item.kind == kind]
        pseudo = {'images': store['images'], 'annotations': store['annotations'],
                  'categories': [{'id': 1, 'name': 'fg'}]}
        gt = ground_truth(kind_scenes)
        evaluation = evaluate_pseudo_masks(pseudo, gt, iou_types=('segm', ))
        sc = np.concatenate(store['sc']) if store['sc'] else np.zeros(0)
        correct = np.concatenate(store['correct']) if store['correct'] else np.zeros(0, bool)
        refiner = store['refiner']
        kept = refiner.get('calls', 0) - refiner.get('discarded', 0)
        result.metrics[kind] = {
            'AP': evaluation['segm']['AP'], 'AP50': evaluation['segm']['AP50'], 'masks': len(store['annotations']),
            'sc_auroc': auroc(sc, correct), 'pixel_precision': float(correct.mean()) if correct.size else float('nan'),
            'refined': refiner.get('calls', 0), 'discarded': refiner.get('discarded', 0),
            'discarded_good': refiner.get('discarded_good', 0),
            'iou_before': refiner.get('iou_before', 0.0) / kept if kept else float('nan'),
            'iou_after': refiner.get('iou_after', 0.0) / kept if kept else float('nan'),
            'bleed': refiner.get('bleed', 0) / refiner['added'] if refiner.get('added') else 0.0,
            'decisions': dict(store['decisions']),
            'edges_before': float(np.mean([e[0] for e in store['edges']])) if store['edges'] else float('nan'),
            'edges_after': float(np.mean([e[1] for e in store['edges']])) if store['edges'] else float('nan')}
        if out_dir is not None:
            (out_dir / kind).mkdir(parents=True, exist_ok=True)
            (out_dir / kind / f'{name.replace("/", "_")}.json').write_text(json.dumps(pseudo))
            (out_dir / kind / 'ground_truth.json').write_text(json.dumps(gt))
    return result


def _at_size(masks: list[np.ndarray], generator: Any) -> list[np.ndarray]:
    """Ground-truth masks at the feature input size, where the refiner works (nearest resize)."""
    input_size = getattr(generator.feature_extractor.extractor, 'input_size', None)
    if input_size is None or not masks or masks[0].shape == tuple(input_size):
        return masks
    from cuts3d.utils.mask_ops import upsample_nearest_values
    return [upsample_nearest_values(mask, tuple(input_size)) for mask in masks]


def ground_truth(scenes: list[BenchmarkScene]) -> dict:
    """COCO ground truth of ``scenes`` (image ids in list order, file names as :attr:`BenchmarkScene.file_name`)."""
    images, annotations = [], []
    for image_id, item in enumerate(scenes, start=1):
        images.append(image_entry(image_id, item.file_name, item.scene.image.shape[1], item.scene.image.shape[0]))
        annotations += scene_annotations(item.scene, image_id, len(annotations) + 1)
    return {'images': images, 'annotations': annotations, 'categories': [{'id': 1, 'name': 'object'}]}


def format_results(results: list[CaseResult], kinds: tuple[str, ...]) -> str:
    """One row per case and kind: mask AP, AP50 (percent), masks, SC AUROC and the refiner's record."""
    header = (f'{"case":<34} {"kind":<24} {"AP":>6} {"AP50":>6} {"masks":>6} {"SC-AUC":>7} {"px-prec":>7} '
              f'{"refined":>7} {"discard":>7} {"good":>4} {"IoU-in":>6} {"IoU-out":>7} {"bleed":>6} {"edges":>5} '
              f'{"->SI":>5}  decisions')
    lines = [header]
    for result in results:
        for kind in kinds:
            m = result.metrics.get(kind)
            if m is None:
                continue
            decisions = ' '.join(f'{k}={v}' for k, v in sorted(m['decisions'].items()))
            lines.append(f'{result.name:<34} {kind:<24} {100 * m["AP"]:6.1f} {100 * m["AP50"]:6.1f} '
                         f'{m["masks"]:6d} {m["sc_auroc"]:7.3f} {m["pixel_precision"]:7.3f} {m["refined"]:7d} '
                         f'{m["discarded"]:7d} {m["discarded_good"]:4d} {m["iou_before"]:6.3f} {m["iou_after"]:7.3f} '
                         f'{m["bleed"]:6.3f} {m["edges_before"]:5.2f} {m["edges_after"]:5.2f}  {decisions}')
    return '\n'.join(lines)


def _literal(value: str) -> Any:
    """A ``--set`` value: a python literal, ``dict(...)`` allowed (as in config files), else the plain string."""
    try:
        return eval(value, {'__builtins__': {}}, {'dict': dict})  # noqa: S307 - the user's own command line
    except (NameError, SyntaxError, TypeError, ValueError):
        return value


def _variant(spec: str, bases: dict[str, dict]) -> tuple[str, dict, dict]:
    from mmengine.config import Config

    if '=' in spec:
        name, path = spec.split('=', 1)
        return name, Config.fromfile(path).to_dict()['pseudo_mask_generator'], {}
    if spec not in VARIANTS:
        raise ValueError(f'unknown variant {spec!r}; built-in: {sorted(VARIANTS)} (or NAME=CONFIG.py)')
    base, overrides = VARIANTS[spec]
    return spec, bases[base], overrides


def run_quality(args: argparse.Namespace) -> int:
    """Run every (features, variant) case on the scenes and print the table."""
    from mmengine.config import Config

    bases = {'maskcut': Config.fromfile(args.maskcut_config).to_dict()['pseudo_mask_generator'],
             'cuts3d': Config.fromfile(args.cuts3d_config).to_dict()['pseudo_mask_generator']}
    unknown = sorted(set(args.features) - set(FEATURES))
    if unknown:
        raise ValueError(f'unknown features {unknown}; choose from {sorted(FEATURES)}')
    common = {item.split('=', 1)[0]: _literal(item.split('=', 1)[1]) for item in args.set}
    scenes = benchmark_scenes(tuple(args.kinds), tuple(args.seeds), args.per_kind, args.size)
    depth = SceneDepth(args.depth_blur)
    results = []
    for features_name in args.features:
        features = CachedFeatures(build_component(FEATURES[features_name](args.size), FEATURE_EXTRACTORS))
        for spec in args.variants:
            name, base, overrides = _variant(spec, bases)
            cfg = generator_config(base, {**overrides, **common}, FEATURES[features_name](args.size), depth)
            out_dir = Path(args.out_dir) if args.out_dir else None
            result = run_case(f'{features_name}/{name}', cfg, scenes, depth, features, out_dir)
            results.append(result)
            print(format_results([result], tuple(args.kinds)).split('\n', 1)[1], flush=True)
    print(format_results(results, tuple(args.kinds)))
    if args.out:
        rows = [dict(case=r.name, seconds=r.seconds, metrics=r.metrics) for r in results]
        Path(args.out).write_text(json.dumps(dict(seeds=args.seeds, per_kind=args.per_kind, size=args.size,
                                                  depth_blur=args.depth_blur, kinds=args.kinds, set=args.set,
                                                  rows=rows), indent=1))
    return 0
