"""The quiz checkpoints of every lesson, one module per lesson (``l00.py``, ``l01.py``, ...).

Each module defines ``QUESTIONS``, a list of :mod:`gan_edu.quiz` questions whose ids start
with the lesson number (``"03-detach"``). Correct answers are stored only as salted hashes;
make them with ``python -m gan_edu.quiz choice QID KEY`` or ``numeric QID LOW HIGH STEP``.
"""
from __future__ import annotations

import importlib
import pkgutil

ALL: dict = {}

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _info.name.startswith("l"):
        for _q in importlib.import_module(f"{__name__}.{_info.name}").QUESTIONS:
            if _q.qid in ALL:
                raise ValueError(f"duplicate checkpoint id {_q.qid!r} in {_info.name}")
            ALL[_q.qid] = _q
