"""``python -m cuts3d <command> ...``: the same as the ``cuts3d`` console command (:mod:`cuts3d.cli.main`)."""
import sys

from cuts3d.cli.main import main

sys.exit(main())
