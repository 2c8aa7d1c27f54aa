"""The ``cuts3d predict-depth`` command as a script (mmdet style, and for ``torchrun``).

Its code is :mod:`cuts3d.cli.predict_depth`.
"""
import sys

from cuts3d.cli.predict_depth import main

if __name__ == '__main__':
    sys.exit(main())
