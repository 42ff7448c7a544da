"""Tuned, named training set-ups shared by the lessons, the benchmarks, the CLI and you.

    tr = ge.presets.build("ring-pacgan", seed=0)   # a ready Trainer
    tr.run(ge.presets.get("ring-pacgan").steps)

Each :class:`Preset` builds its models under the given seed, with its own random stream (the
caller's global torch random state is left alone), so the same name and seed always give the
same run. Presets that decay the learning rate do it with a ``step_end`` handler
(:func:`linear_decay`), visible in ``trainer.handlers``. The registry is in ``registry.py``;
the set-ups, one module per topic, register themselves when imported here.
"""
from __future__ import annotations

from . import digits, ring
from .registry import PRESETS, Preset, build, get, linear_decay, names, register

__all__ = ["Preset", "PRESETS", "get", "build", "names", "linear_decay", "register", "digits", "ring"]
