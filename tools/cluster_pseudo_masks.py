"""The ``cuts3d cluster`` command as a script (mmdet style, and for ``torchrun``).

Its code is :mod:`cuts3d.cli.cluster_pseudo_masks`.
"""
import sys

from cuts3d.cli.cluster_pseudo_masks import main

if __name__ == '__main__':
    sys.exit(main())
