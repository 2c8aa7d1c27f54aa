"""cuts3d: unsupervised instance segmentation by cutting semantics in 3D, on MMEngine / MMDetection.

Importing the package loads nothing else: each package registers its components when imported, and the registries
of :mod:`cuts3d.registry` import them (mmengine's ``locations``) when a config first names one of their types.
``docs/design.md`` gives the layout and the dependency order.
"""
from .version import __version__

__all__ = ['__version__']
