"""The ``cuts3d test`` command as a script (mmdet style, and for ``torchrun``).

Its code is :mod:`cuts3d.cli.test`.
"""
import sys

from cuts3d.cli.test import main

if __name__ == '__main__':
    sys.exit(main())
