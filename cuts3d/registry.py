"""Every registry of cuts3d, in one place.

Extraction-side components (feature extractors, depth sources, graph cutters, ...) live in registries of their own
under the scope ``cuts3d``. Training-side plugins register into children of mmdet's registries, so a config can
name both ``cuts3d`` types and stock mmdet types (``mmdet.CascadeRCNN``, or plain ``CascadeRCNN`` once the default
scope is ``cuts3d``).
"""
from __future__ import annotations

from typing import Any

import mmdet.registry as mmdet_registry
from mmengine.registry import Registry

SCOPE = 'cuts3d'


def _component_registry(name: str, *packages: str) -> Registry:
    return Registry(name, scope=SCOPE, locations=[f'cuts3d.{package}' for package in packages])


def _mmdet_child(parent: Registry, *packages: str) -> Registry:
    return Registry(parent.name, parent=parent, scope=SCOPE, locations=[f'cuts3d.{package}' for package in packages])


# Extraction stage (docs/design.md, "Component contracts").
FEATURE_EXTRACTORS = _component_registry('feature extractor', 'features')
DEPTH_SOURCES = _component_registry('depth source', 'depth')
AFFINITY_MODIFIERS = _component_registry('affinity modifier', 'cutting')
GRAPH_CUTTERS = _component_registry('graph cutter', 'cutting')
PARTITIONERS = _component_registry('partitioner', 'cutting')
CONFIDENCE_ESTIMATORS = _component_registry('confidence estimator', 'cutting')
MASK_REFINERS = _component_registry('mask refiner', 'cutting')
PSEUDO_MASK_GENERATORS = _component_registry('pseudo-mask generator', 'pseudo', 'engstler', 'unscene3d')

# UnScene3D's 3D pipeline: PointScene -> segment id per point; (PointScene, segment ids, S) -> S x D features.
OVER_SEGMENTERS = _component_registry('over-segmenter', 'unscene3d')
SEGMENT_FEATURES = _component_registry('segment feature', 'unscene3d')

# U2Seg's panoptic pseudo-labels: "stuff" maps beside the instance "things".
STUFF_SOURCES = _component_registry('stuff source', 'u2seg')

# Learning stage: a child of every mmdet registry, so that with ``default_scope='cuts3d'`` a config finds cuts3d's
# plugins first and mmdet's and mmengine's types after them (loops, samplers, optimizers, hooks, ...).
MODELS = _mmdet_child(mmdet_registry.MODELS, 'models')
TASK_UTILS = _mmdet_child(mmdet_registry.TASK_UTILS, 'models')
TRANSFORMS = _mmdet_child(mmdet_registry.TRANSFORMS, 'datasets', 'u2seg')
DATASETS = _mmdet_child(mmdet_registry.DATASETS, 'datasets')
METRICS = _mmdet_child(mmdet_registry.METRICS, 'evaluation', 'u2seg')
HOOKS = _mmdet_child(mmdet_registry.HOOKS, 'engine')
VISUALIZERS = _mmdet_child(mmdet_registry.VISUALIZERS, 'visualization')
RUNNERS = _mmdet_child(mmdet_registry.RUNNERS)
RUNNER_CONSTRUCTORS = _mmdet_child(mmdet_registry.RUNNER_CONSTRUCTORS)
LOOPS = _mmdet_child(mmdet_registry.LOOPS)
DATA_SAMPLERS = _mmdet_child(mmdet_registry.DATA_SAMPLERS)
MODEL_WRAPPERS = _mmdet_child(mmdet_registry.MODEL_WRAPPERS)
WEIGHT_INITIALIZERS = _mmdet_child(mmdet_registry.WEIGHT_INITIALIZERS)
OPTIMIZERS = _mmdet_child(mmdet_registry.OPTIMIZERS)
OPTIM_WRAPPERS = _mmdet_child(mmdet_registry.OPTIM_WRAPPERS)
OPTIM_WRAPPER_CONSTRUCTORS = _mmdet_child(mmdet_registry.OPTIM_WRAPPER_CONSTRUCTORS)
PARAM_SCHEDULERS = _mmdet_child(mmdet_registry.PARAM_SCHEDULERS)
EVALUATOR = _mmdet_child(mmdet_registry.EVALUATOR)
VISBACKENDS = _mmdet_child(mmdet_registry.VISBACKENDS)
LOG_PROCESSORS = _mmdet_child(mmdet_registry.LOG_PROCESSORS)


class UnknownComponentError(KeyError):
    """A config names a ``type`` that its registry does not hold."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


def registered_names(registry: Registry) -> list[str]:
    """Names a config may use for ``registry``: its own, then its ancestors' (scope-prefixed)."""
    registry.import_from_location()
    names = sorted(registry.module_dict)
    parent = registry.parent
    while parent is not None:
        parent.import_from_location()
        names += sorted(f'{parent.scope}.{name}' for name in parent.module_dict)
        parent = parent.parent
    return names


def build_component(cfg: dict | Any, registry: Registry, **default_args: Any) -> Any:
    """Build one component from a config dict, or pass through an object that is already built.

    An unknown ``type`` raises :class:`UnknownComponentError` naming the registry and every registered name,
    instead of mmengine's bare "not in the registry".
    """
    if not isinstance(cfg, dict):
        return cfg
    if 'type' not in cfg:
        raise UnknownComponentError(f'a {registry.name} config needs a "type" key; got {dict(cfg)}')
    type_ = cfg['type']
    if isinstance(type_, str) and registry.get(type_) is None:
        raise UnknownComponentError(
            f'unknown {registry.name} type {type_!r} (registry {registry.scope}::{registry.name}); '
            f'registered: {", ".join(registered_names(registry)) or "none"}')
    return registry.build(cfg, default_args=default_args or None)
