"""The ``cuts3d self-train`` command as a script (mmdet style, and for ``torchrun``).

Its code is :mod:`cuts3d.cli.self_train`.
"""
import sys

from cuts3d.cli.self_train import main

if __name__ == '__main__':
    sys.exit(main())
