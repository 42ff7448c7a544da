"""The preset registry: :class:`Preset`, ``register``/``get``/``build``/``names``, and the
learning-rate schedule the presets install (:func:`linear_decay`). The set-ups themselves live in
``ring.py`` and ``digits.py``, which import this module (never the package), so there is no cycle.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .. import _check
from ..trainer import Trainer

__all__ = ["Preset", "PRESETS", "get", "build", "names", "linear_decay", "register"]


def linear_decay(trainer: Trainer, start: int, end: int, final_factor: float = 0.01) -> Callable:
    """From step ``start`` to ``end``, scale both learning rates linearly down to
    ``final_factor`` times their value at ``start`` (then keep them there). Late in training
    a GAN's samples jitter around the modes by about lr; a smaller lr lets them settle."""
    start = _check.integer("start", start, minimum=0)
    end = _check.integer("end", end, minimum=start + 1)
    final_factor = _check.number("final_factor", final_factor, minimum=0.0, strict_min=True, maximum=1.0)
    base = {"g": trainer.lr_g, "d": trainer.lr_d}     # followed until ``start``; attached late, the rates of now

    def decay(tr: Trainer) -> None:
        s = tr.state.step
        if s <= start:
            base["g"], base["d"] = tr.lr_g, tr.lr_d
            return
        f = 1 - (1 - final_factor) * min(1.0, (s - start) / (end - start))
        tr.configure(lr_g=base["g"] * f, lr_d=base["d"] * f)

    decay.__qualname__ = f"linear_decay({start}->{end}, x{final_factor})"
    trainer.on("step_end", decay)
    return decay


@dataclass
class Preset:
    """A named set-up: ``make(seed)`` returns a ready Trainer, ``steps`` is how long to run it."""

    name: str
    description: str
    steps: int
    make: Callable[[int], Trainer] = field(repr=False)
    tags: tuple[str, ...] = ()

    def build(self, seed: int = 0) -> Trainer:
        return self.make(_check.integer("seed", seed, minimum=0))


PRESETS: dict[str, Preset] = {}


def register(preset: Preset) -> Preset:
    if preset.name in PRESETS:
        raise ValueError(f"a preset called {preset.name!r} exists already")
    PRESETS[preset.name] = preset
    return preset


def get(name: str) -> Preset:
    _check.one_of("preset", name, PRESETS)
    return PRESETS[name]


def build(name: str, seed: int = 0) -> Trainer:
    """The trainer of preset ``name``, seeded with ``seed``."""
    return get(name).build(seed)


def names(tag: str | None = None) -> list[str]:
    return [n for n, p in PRESETS.items() if tag is None or tag in p.tags]
