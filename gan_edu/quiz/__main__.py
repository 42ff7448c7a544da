"""``python -m gan_edu.quiz choice QID KEY`` / ``numeric QID LOW HIGH STEP``: hashes for writing checkpoints."""
from . import _main

_main()
