"""The trainer's events: what a handler can listen to, and how it is called.

Events fired during one ``step()`` with ``d_steps = k``::

    step_start
      k x ( d_forward_end, d_backward_end, d_step_end )
    g_forward_end, g_backward_end, g_step_end
    step_end

plus ``run_start`` / ``run_end`` around ``run(n)``. ``*_backward_end`` fires after the
gradients are computed and *before* the optimiser uses them, so a handler can look at
(or plot) the gradients that are about to be applied.

A handler is any function ``fn(trainer)``; it reads plain attributes such as
``trainer.state.loss_d`` or ``trainer.G``. ``every=N`` runs it only on steps N, 2N, ...
(``state.step`` is 1-based inside a step); :class:`TrainState` lists what there is to
read. A handler that raises is reported as a :class:`HandlerError` naming the handler and the event.
"""
from __future__ import annotations

import contextlib
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import torch

from . import _check

__all__ = ["EVENTS", "TrainState", "TrainerError", "HandlerError", "Events"]

EVENTS = ("run_start", "step_start", "d_forward_end", "d_backward_end", "d_step_end",
          "g_forward_end", "g_backward_end", "g_step_end", "step_end", "run_end")


@dataclass
class TrainState:
    """What the trainer is doing now. Handlers read it; only ``stop`` is for handlers to write."""

    step: int = 0                 #: steps started and completed (1-based while one is running)
    d_updates: int = 0            #: discriminator optimiser steps taken
    g_updates: int = 0            #: generator optimiser steps taken
    d_iter: int = 0               #: which of the d_steps D updates is running (0-based)
    event: str = ""               #: the event fired last
    loss_d: float = math.nan      #: D's loss on the last D update
    loss_g: float = math.nan      #: G's loss on the last G update
    d_real: float = math.nan      #: mean sigmoid(D(x)) on the real batch of the last D update
    d_fake: float = math.nan      #: mean sigmoid(D(G(z))) on the fake batch of the last D update (same D as d_real)
    d_fake_g: float = math.nan    #: mean sigmoid(D(G(z))) in the last G update: the D that G answers (D has moved)
    real: torch.Tensor | None = None         #: the last real batch x [B, *shape]
    z: torch.Tensor | None = None            #: the last noise batch z [B, latent]
    fake: torch.Tensor | None = None         #: G(z) for that z [B, *shape]
    real_logits: torch.Tensor | None = None  #: D's logits on ``real`` [B/pack]
    fake_logits: torch.Tensor | None = None  #: D's logits on ``fake`` [B/pack], in the phase running now
    loss: torch.Tensor | None = None         #: the loss tensor of the phase running now
    stop: bool = False            #: set True in a handler to end ``run()`` after this step


class TrainerError(RuntimeError):
    """Base of the errors a training step ends with. The message ends by saying what became of
    the trainer (``.outcome``), written only once it is true: the step was rolled back, or the
    error came outside a step and there was nothing to undo; then the ``.advice``, if any."""

    def __init__(self, message: str, advice: str = ""):
        self.message, self.advice, self.outcome = message, advice, ""
        super().__init__(message + (f" {advice[:1].upper()}{advice[1:]}." if advice else ""))

    def tell(self, outcome: str) -> None:
        """Finish the message with what was done about the error (a sentence without its full stop)."""
        self.outcome = outcome
        self.args = (f"{self.message} {outcome}" + (f"; {self.advice}." if self.advice else "."),)


class HandlerError(TrainerError):
    """A handler raised. ``.handler`` and ``.event`` say which; the original error is ``__cause__``."""

    def __init__(self, handler: Callable, event: str, step: int, error: BaseException):
        self.handler, self.event, self.step = handler, event, step
        name = getattr(handler, "__qualname__", repr(handler))
        super().__init__(f"handler {name!r} on event {event!r} raised at step {step}: {type(error).__name__}: {error}.")


class Events:
    """The event half of :class:`~gan_edu.trainer.Trainer`: ``on``, ``off``, ``attached``, ``_fire``."""

    handlers: dict[str, list[tuple[Callable, int]]]

    def _init_events(self) -> None:
        self.handlers = defaultdict(list)

    def on(self, event: str, fn: Callable | None = None, every: int = 1):
        """Call ``fn(trainer)`` at ``event`` (every ``every`` steps). Works as a decorator:
        ``@tr.on("d_backward_end")``. Returns ``fn``."""
        _check_event(event)
        every = _check.positive_int("every", every)
        if fn is None:
            return lambda f: self.on(event, f, every)
        if not callable(fn):
            raise TypeError(f"the handler for {event!r} must be callable, got {type(fn).__name__}")
        self.handlers[event].append((fn, every))
        return fn

    def off(self, event: str, fn: Callable) -> None:
        """Remove a handler added with :meth:`on` (no error if it is not there; an unknown event is one)."""
        _check_event(event)
        self.handlers[event] = [(f, e) for f, e in self.handlers.get(event, []) if f is not fn]

    @contextlib.contextmanager
    def attached(self, handlers: dict[str, Callable] | None = None, every: int = 1, **by_event: Callable):
        """``with tr.attached(step_end=fn):`` -- the handlers are on for the block and removed
        afterwards, also when the block raises. ``handlers`` maps event -> fn (or a list of fns)."""
        pairs = []
        try:
            for event, fns in {**(handlers or {}), **by_event}.items():
                for fn in (fns if isinstance(fns, (list, tuple)) else [fns]):
                    self.on(event, fn, every)
                    pairs.append((event, fn))
            yield self
        finally:
            for event, fn in pairs:
                self.off(event, fn)

    def _fire(self, event: str) -> None:
        """Call the handlers of ``event``; a handler's error becomes a :class:`HandlerError`."""
        self.state.event = event
        for fn, every in self.handlers.get(event, ()):
            if every == 1 or self.state.step % every == 0:
                try:
                    fn(self)
                except (TrainerError, KeyboardInterrupt):   # from a step run inside the handler: pass it on
                    raise
                except Exception as err:
                    raise HandlerError(fn, event, self.state.step, err) from err


    def _fire_outside_a_step(self, event: str) -> None:
        """``run_start`` / ``run_end``: no step is running, so an error has nothing to undo (and says so)."""
        try:
            self._fire(event)
        except TrainerError as err:
            if not err.outcome:
                err.tell(f"It ran outside a step, so there was nothing to undo: the trainer is at step "
                         f"{self.state.step}, as its last completed step left it")
            raise


def _check_event(event) -> None:
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}; valid events: {', '.join(EVENTS)}")
