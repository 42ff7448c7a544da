"""``python -m gan_edu``: the command-line interface (see :mod:`gan_edu.cli`)."""
import sys

from .cli import main

sys.exit(main())
