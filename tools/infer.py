"""The ``cuts3d infer`` command as a script (mmdet style, and for ``torchrun``).

Its code is :mod:`cuts3d.cli.infer`.
"""
import sys

from cuts3d.cli.infer import main

if __name__ == '__main__':
    sys.exit(main())
