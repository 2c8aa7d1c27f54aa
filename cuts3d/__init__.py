"""cuts3d: unsupervised instance segmentation by cutting semantics in 3D, on MMEngine / MMDetection.

Importing the package installs the project's checkpoint policy (:mod:`cuts3d.engine.checkpoint`), so that a config
loading cuts3d through ``custom_imports`` gets it too.
"""
from .engine.checkpoint import install_checkpoint_policy
from .version import __version__

install_checkpoint_policy()

__all__ = ['__version__']
