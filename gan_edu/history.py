"""Bounded history of training scalars.

``History`` maps a name (``"loss_d"``) to a :class:`Series` of (step, value)
pairs. A series never holds more than ``capacity`` points: when it is full it
keeps every other point and from then on records every 2nd step (then every
4th, ...). The whole run stays visible in a plot, at a coarser resolution the
longer it runs, and 10^5 or 10^7 steps cost the same memory.

``mark()`` / ``rollback(mark)`` let the trainer undo what a failed step recorded,
exactly, even when that step thinned a series: thinning builds new lists and
leaves the old ones alone, so a mark only needs to remember which lists were
current and how long they were (no copy on the way in).
"""
from __future__ import annotations

import numpy as np

from . import _check

__all__ = ["History", "Series"]


class Series:
    """One recorded quantity: ``steps`` and ``values`` as numpy arrays, bounded length."""

    __slots__ = ("capacity", "stride", "_steps", "_values")

    def __init__(self, capacity: int = 4096):
        self.capacity = _check.integer("capacity", capacity, minimum=2)
        self.stride = 1
        self._steps: list[int] = []
        self._values: list[float] = []

    def append(self, step: int, value: float) -> None:
        if step % self.stride:
            return
        self._steps.append(step)
        self._values.append(value)
        if len(self._steps) > self.capacity:          # full: thin out, record less often
            self.stride *= 2
            keep = [i for i, s in enumerate(self._steps) if s % self.stride == 0]
            self._steps = [self._steps[i] for i in keep]
            self._values = [self._values[i] for i in keep]

    def truncate(self, last_step: int) -> None:
        """Forget points recorded after ``last_step`` (used when training is rolled back)."""
        while self._steps and self._steps[-1] > last_step:
            self._steps.pop()
            self._values.pop()

    @property
    def steps(self) -> np.ndarray:
        return np.asarray(self._steps, dtype=np.int64)

    @property
    def values(self) -> np.ndarray:
        return np.asarray(self._values, dtype=np.float64)

    def __len__(self) -> int:
        return len(self._values)

    def __array__(self, dtype=None, copy=None):
        return self.values if dtype is None else self.values.astype(dtype)

    def __getitem__(self, i):
        return self.values[i]

    def __iter__(self):
        return iter(self._values)

    def __repr__(self) -> str:
        return f"Series(n={len(self)}, stride={self.stride}, last={self._values[-1] if self._values else None})"


class History:
    """``history["loss_d"]`` -> a :class:`Series` (array-like of values; ``.steps`` for the x axis)."""

    def __init__(self, capacity: int = 4096):
        self.capacity = _check.integer("history_size", capacity, minimum=2)
        self._series: dict[str, Series] = {}

    def record(self, step: int, **values: float) -> None:
        for name, value in values.items():
            series = self._series.get(name)
            if series is None:
                series = self._series[name] = Series(self.capacity)
            series.append(step, float(value))

    def truncate(self, last_step: int) -> None:
        for series in self._series.values():
            series.truncate(last_step)

    def mark(self) -> tuple:
        """What :meth:`rollback` needs to put the history back as it is now (costs no copy)."""
        return self.capacity, dict(self._series), [(s, s._steps, s._values, len(s._steps), s.stride)
                                                   for s in self._series.values()]

    def rollback(self, mark: tuple) -> None:
        """Back to the moment of ``mark()``: series born since are dropped, points recorded since
        removed, and a series thinned since gets its unthinned lists back."""
        self.capacity, series, kept = mark
        self._series = dict(series)
        for s, steps, values, n, stride in kept:
            del steps[n:], values[n:]
            s._steps, s._values, s.stride = steps, values, stride

    def __getitem__(self, name: str) -> Series:
        try:
            return self._series[name]
        except KeyError:
            raise KeyError(f"nothing recorded as {name!r}; recorded: {sorted(self._series)}") from None

    def __contains__(self, name: str) -> bool:
        return name in self._series

    def keys(self):
        return self._series.keys()

    def __len__(self) -> int:
        return len(self._series)

    def state_dict(self) -> dict:
        return {"capacity": self.capacity,
                "series": {k: {"stride": s.stride, "steps": list(s._steps), "values": list(s._values)}
                           for k, s in self._series.items()}}

    def load_state_dict(self, state: dict) -> None:
        self.capacity = state["capacity"]
        self._series = {}
        for name, d in state["series"].items():
            s = Series(self.capacity)
            s.stride, s._steps, s._values = int(d["stride"]), [int(x) for x in d["steps"]], [float(v) for v in d["values"]]
            self._series[name] = s

    def __repr__(self) -> str:
        return f"History({', '.join(f'{k}: {len(s)}' for k, s in self._series.items())})"
