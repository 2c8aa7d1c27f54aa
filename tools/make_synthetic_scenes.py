"""The ``cuts3d synthetic-scenes`` command as a script (mmdet style, and for ``torchrun``).

Its code is :mod:`cuts3d.cli.make_synthetic_scenes`.
"""
import sys

from cuts3d.cli.make_synthetic_scenes import main

if __name__ == '__main__':
    sys.exit(main())
