"""A replay timeline: snapshots kept while training runs, in bounded memory.

``Timeline(trainer, every=10, capacity=64)`` takes ``trainer.snapshot()`` every
``every`` steps. When it holds ``capacity`` snapshots it drops every other one
and from then on keeps one every ``2 * every`` steps, so the whole run stays
reachable at a coarser grain, and memory never grows past ``capacity``
snapshots. ``view(i)`` gives G and D as they were at snapshot ``i`` (copies,
the live trainer is untouched); ``branch(i)`` restores the trainer to it.

The timeline is undone with the trainer's steps: a snapshot taken at the end of a step
that then failed (a later handler raised) is dropped with the step, and so is any
thinning that snapshot caused.
"""
from __future__ import annotations

import copy

from . import _check

__all__ = ["Timeline"]


class Timeline:
    def __init__(self, trainer, every: int = 10, capacity: int = 64):
        self.trainer = trainer
        self.every = _check.positive_int("every", every)
        self.capacity = _check.integer("capacity", capacity, minimum=2)
        self.snapshots: list[dict] = []
        self._shadow_g = copy.deepcopy(trainer.G).eval()
        self._shadow_d = copy.deepcopy(trainer.D).eval()
        self._attached = False
        self.attach()
        self.capture()                                   # the starting point

    def attach(self) -> None:
        if not self._attached:
            self.trainer.on("step_end", self._on_step)
            self.trainer._undo.track(self)
            self._attached = True

    def detach(self) -> None:
        self.trainer.off("step_end", self._on_step)
        self.trainer._undo.untrack(self)
        self._attached = False

    def mark(self) -> tuple:
        """What :meth:`rollback` needs (the trainer's undo guard calls both)."""
        return list(self.snapshots), self.every

    def rollback(self, mark: tuple) -> None:
        self.snapshots[:], self.every = mark

    def _on_step(self, tr) -> None:
        if tr.state.step % self.every == 0:
            self.capture()

    def clear(self, every: int | None = None) -> None:
        """Forget every snapshot (e.g. after the trainer was reset) and start again at ``every``."""
        self.snapshots.clear()
        if every is not None:
            self.every = _check.positive_int("every", every)

    def capture(self) -> None:
        """Keep a snapshot of the trainer now (replacing one taken at the same step)."""
        snap = self.trainer.snapshot()
        step = snap["counters"]["step"]
        while self.snapshots and self.snapshots[-1]["counters"]["step"] >= step:
            self.snapshots.pop()                         # after a branch: the old future is gone
        self.snapshots.append(snap)
        if len(self.snapshots) > self.capacity:
            self.every *= 2
            self.snapshots = [s for s in self.snapshots[:-1] if s["counters"]["step"] % self.every == 0] \
                + [self.snapshots[-1]]

    @property
    def steps(self) -> list[int]:
        return [s["counters"]["step"] for s in self.snapshots]

    def __len__(self) -> int:
        return len(self.snapshots)

    def _index(self, i: int) -> int:
        n = len(self.snapshots)
        i = _check.integer("index", i, minimum=-n, maximum=n - 1)
        return i % n

    def view(self, i: int):
        """``(G, D)`` copies holding the weights of snapshot ``i`` (eval mode)."""
        snap = self.snapshots[self._index(i)]
        self._shadow_g.load_state_dict(snap["G"])
        self._shadow_d.load_state_dict(snap["D"])
        return self._shadow_g, self._shadow_d

    def branch(self, i: int) -> int:
        """Restore the trainer to snapshot ``i`` and forget the snapshots after it; returns its step."""
        i = self._index(i)
        self.trainer.restore(self.snapshots[i])
        del self.snapshots[i + 1:]
        return self.trainer.state.step
