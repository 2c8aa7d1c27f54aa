"""Every registry of cuts3d, in one place.

Extraction-side components (feature extractors, depth sources, graph cutters, ...) live in registries of their own
under the scope ``cuts3d``. Training-side plugins register into children of mmdet's registries, so a config can
name both ``cuts3d`` types and stock mmdet types (``mmdet.CascadeRCNN``, or plain ``CascadeRCNN`` once the default
scope is ``cuts3d``).
"""
from __future__ import annotations

from typing import Any

from mmdet.registry import DATASETS as MMDET_DATASETS
from mmdet.registry import HOOKS as MMDET_HOOKS
from mmdet.registry import METRICS as MMDET_METRICS
from mmdet.registry import MODELS as MMDET_MODELS
from mmdet.registry import TASK_UTILS as MMDET_TASK_UTILS
from mmdet.registry import TRANSFORMS as MMDET_TRANSFORMS
from mmdet.registry import VISUALIZERS as MMDET_VISUALIZERS
from mmengine.registry import Registry

SCOPE = 'cuts3d'


def _component_registry(name: str, *packages: str) -> Registry:
    return Registry(name, scope=SCOPE, locations=[f'cuts3d.{package}' for package in packages])


def _mmdet_child(parent: Registry, package: str) -> Registry:
    return Registry(parent.name, parent=parent, scope=SCOPE, locations=[f'cuts3d.{package}'])


# Extraction stage (DESIGN.md, "Component contracts").
FEATURE_EXTRACTORS = _component_registry('feature extractor', 'features')
DEPTH_SOURCES = _component_registry('depth source', 'depth')
AFFINITY_MODIFIERS = _component_registry('affinity modifier', 'cutting')
GRAPH_CUTTERS = _component_registry('graph cutter', 'cutting')
PARTITIONERS = _component_registry('partitioner', 'cutting')
CONFIDENCE_ESTIMATORS = _component_registry('confidence estimator', 'cutting')
MASK_REFINERS = _component_registry('mask refiner', 'cutting')
PSEUDO_MASK_GENERATORS = _component_registry('pseudo-mask generator', 'pseudo', 'unscene3d')

# UnScene3D's 3D pipeline: PointScene -> segment id per point; (PointScene, segment ids, S) -> S x D features.
OVER_SEGMENTERS = _component_registry('over-segmenter', 'unscene3d')
SEGMENT_FEATURES = _component_registry('segment feature', 'unscene3d')

# U2Seg's panoptic pseudo-labels: "stuff" maps beside the instance "things".
STUFF_SOURCES = _component_registry('stuff source', 'u2seg')

# Learning stage: children of mmdet's registries.
MODELS = _mmdet_child(MMDET_MODELS, 'models')
TRANSFORMS = _mmdet_child(MMDET_TRANSFORMS, 'datasets')
DATASETS = _mmdet_child(MMDET_DATASETS, 'datasets')
METRICS = _mmdet_child(MMDET_METRICS, 'evaluation')
HOOKS = _mmdet_child(MMDET_HOOKS, 'engine')
VISUALIZERS = _mmdet_child(MMDET_VISUALIZERS, 'visualization')
TASK_UTILS = _mmdet_child(MMDET_TASK_UTILS, 'models')


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
