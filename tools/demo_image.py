"""The ``cuts3d demo`` command as a script (mmdet style, and for ``torchrun``).

Its code is :mod:`cuts3d.cli.demo`.
"""
import sys

from cuts3d.cli.demo import main

if __name__ == '__main__':
    sys.exit(main())
