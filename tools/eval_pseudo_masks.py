"""The ``cuts3d eval`` command as a script (mmdet style, and for ``torchrun``).

Its code is :mod:`cuts3d.cli.eval_pseudo_masks`.
"""
import sys

from cuts3d.cli.eval_pseudo_masks import main

if __name__ == '__main__':
    sys.exit(main())
