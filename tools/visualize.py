"""The ``cuts3d visualize`` command as a script (mmdet style, and for ``torchrun``).

Its code is :mod:`cuts3d.cli.visualize`.
"""
import sys

from cuts3d.cli.visualize import main

if __name__ == '__main__':
    sys.exit(main())
