"""``python -m gan_edu``: the command-line interface (see :mod:`gan_edu.cli`)."""
import sys

try:
    from .cli import main
except KeyboardInterrupt:          # Ctrl-C while Python is still loading the command line: one line, no traceback
    sys.stderr.write("gan-edu: interrupted (Ctrl-C)\n")
    sys.exit(130)

sys.exit(main())
