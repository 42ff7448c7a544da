"""The quiz checkpoints of every lesson, one module per lesson (``l00.py``, ``l01.py``, ...).

Each module defines ``QUESTIONS``, a list of :mod:`gan_edu.quiz` questions whose ids start
with the lesson number (``"03-detach"``). Correct answers are stored only as salted hashes;
make them with ``python -m gan_edu.quiz choice QID KEY`` (also for a prediction's ``expected``
outcome) or ``numeric QID LOW HIGH STEP``. ``tests/test_question_bank.py`` checks every module
found here (answer positions, option lengths, feedback, misconception coverage, duplicates).

``RENAMED`` maps the ids of replaced questions to their replacements, so a notebook that still
asks for an old id gets the new question.
"""
from __future__ import annotations

import importlib
import pkgutil

ALL: dict = {}

RENAMED = {
    "08-forward": "08-range-mismatch", "08-dscore": "08-d-accuracy", "08-detach": "08-detach-cost",
    "08-saturating": "08-loss-curves", "08-alternate": "08-steps-per-epoch", "08-collapse": "08-hopping",
    "08-remedy": "08-g-step-bug", "08-equilibrium": "08-smoothing", "08-evaluation": "08-human-judges",
    "02-d-only-speed": "02-keep-training",
}

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _info.name.startswith("l"):
        for _q in importlib.import_module(f"{__name__}.{_info.name}").QUESTIONS:
            if _q.qid in ALL:
                raise ValueError(f"duplicate checkpoint id {_q.qid!r} in {_info.name}")
            if not _q.qid.startswith(_info.name[1:] + "-"):
                raise ValueError(f"checkpoint {_q.qid!r} of {_info.name} must start with {_info.name[1:]}-")
            ALL[_q.qid] = _q
