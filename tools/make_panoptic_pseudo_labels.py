"""The ``cuts3d panoptic`` command as a script (mmdet style, and for ``torchrun``).

Its code is :mod:`cuts3d.cli.make_panoptic_pseudo_labels`.
"""
import sys

from cuts3d.cli.make_panoptic_pseudo_labels import main

if __name__ == '__main__':
    sys.exit(main())
