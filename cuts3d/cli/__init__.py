"""The ``cuts3d`` command: one subcommand per tool (``cuts3d extract``, ``cuts3d train``, ``cuts3d demo``, ...).

Each subcommand is a module here with ``main(argv) -> int``; :mod:`.main` dispatches to it, and the scripts in
``tools/`` call the same ``main`` (for mmdet-style ``python tools/train.py`` and ``torchrun tools/...``). A module
imports only the standard library when it is loaded: torch, mmengine, mmdet and the rest are imported after the
command line is parsed, so ``--help`` answers at once.
"""
