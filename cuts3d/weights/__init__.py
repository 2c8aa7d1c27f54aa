"""Weights by local path, URL or hub id: downloaded once, cached, verified, and loaded without running code.

The bottom of the dependency order: feature extractors, depth sources and the detector's backbone init all load
their weights through here, and nothing here imports training code. ``torch``, ``transformers`` and ``diffusers``
are imported inside the functions that need them.

- :func:`load_foreign_weights`: a torch checkpoint from a local path or an ``https://`` URL (cache under
  ``$CUTS3D_CACHE``, default ``~/.cache/cuts3d``; ``$CUTS3D_WEIGHTS_MIRROR`` redirects downloads; hash checked
  against the file name's torch-hub prefix or ``URL#sha256=<hex>``), unpickled with ``weights_only=True``.
- :func:`load_pretrained`: a Hugging Face model by hub id or local directory, with one-line errors offline.
- :data:`OFFICIAL_WEIGHTS`: the releases the method configs use.
- :func:`unwrap_state_dict`, :func:`strip_prefixes`, :func:`timm_vit_to_mmpretrain`: release key layouts.
"""
from .cache import cache_dir, cached_path, is_url, mirrored
from .download import fetch
from .errors import CheckpointError
from .foreign import load_foreign_weights, read_weights_only, unpickling_reason
from .hub import is_local_model, load_pretrained
from .official import MANUAL_DOWNLOADS, OFFICIAL_WEIGHTS, official_url
from .state_dict import strip_prefixes, timm_vit_to_mmpretrain, unwrap_state_dict
from .torch_file import describe_non_torch_file

__all__ = ['CheckpointError', 'MANUAL_DOWNLOADS', 'OFFICIAL_WEIGHTS', 'cache_dir', 'cached_path',
           'describe_non_torch_file', 'fetch', 'is_local_model', 'is_url', 'load_foreign_weights', 'load_pretrained',
           'mirrored', 'official_url',
           'read_weights_only', 'strip_prefixes', 'timm_vit_to_mmpretrain', 'unpickling_reason', 'unwrap_state_dict']
