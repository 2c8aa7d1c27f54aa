"""The ``cuts3d train`` command as a script (mmdet style, and for ``torchrun``).

Its code is :mod:`cuts3d.cli.train`.
"""
import sys

from cuts3d.cli.train import main

if __name__ == '__main__':
    sys.exit(main())
