"""The ``cuts3d sample-demo`` command as a script (mmdet style, and for ``torchrun``).

Its code is :mod:`cuts3d.cli.sample_demo`.
"""
import sys

from cuts3d.cli.sample_demo import main

if __name__ == '__main__':
    sys.exit(main())
