"""A step is all-or-nothing: the undo guard, and the error a diverging step ends with.

Before each ``step()``, ``step_d()`` or ``step_g()`` the guard keeps everything the step can
change: the values of every tensor training writes (G's and D's parameters and buffers, both
optimisers' state), copied into buffers reused from step to step; the objects that hold them
(which optimisers, their state dicts and per-group settings such as the learning rate -- a
handler may call ``configure()``, the unrolled look-ahead loads D's optimiser); the trainer's
settings and data, its ``state``, both random streams, a mark of the history and of any object
that joined with :meth:`Undo.track` (the replay timeline); G's and D's train/eval modes and
which parameters require a gradient. If the step raises -- a handler's error, a divergence,
Ctrl-C -- all of it is put back, bit for bit, and only then does the error's message say so.

Ctrl-C can land at any instruction, also inside the guard. So the guard keeps no counter an
interrupt could leave wrong: it belongs to the step call that took it (that call's frame), a
step run from inside a handler sees its owner still on the stack and leaves the work to it,
and the owner's ``finally`` gives the guard back and restores autograd's on/off switch. A second
Ctrl-C during the undo does not stop it; a step whose guard was left open all the same is undone
at the start of the next one, with a warning.
"""
from __future__ import annotations

import copy
import math
import sys
import threading
import warnings

import torch

from .events import TrainerError

__all__ = ["TrainingDiverged", "Undo", "Kept", "check_finite", "check_update", "cause_of_divergence"]


class TrainingDiverged(TrainerError):
    """A loss, a parameter or an optimiser's state became NaN or infinite. ``.step`` is the step it
    happened in, ``.what`` the quantity, ``.cause`` what made it so when that can be told (NaN data,
    a value already NaN before the step, an overflowing optimiser state), ``.advice`` what to do."""

    def __init__(self, step: int, what: str, value: float | None = None, cause: str = "",
                 advice: str = "try a smaller learning rate"):
        self.what, self.value, self.cause = what, value, cause
        shown = "" if value is None else f" ({value})"
        super().__init__(f"training diverged at step {step}: {what} is not finite{shown}." + (f" {cause}" if cause else ""),
                         advice)
        self.step = step


class Kept:
    """The values of some nets' tensors and of their optimisers' state, kept in buffers reused
    from one :meth:`capture` to the next (one fused copy, no allocation). :meth:`put_back` writes
    them back in place, and also puts back the optimisers' state dicts and per-group settings,
    so it holds even when the step replaced them (``load_state_dict`` makes new tensors)."""

    def __init__(self):
        self.buffers: list[torch.Tensor] = []
        self.tensors: list[torch.Tensor] = []
        self.parts: tuple = ()
        self.opts: list = []
        self._ids: tuple = ()

    def capture(self, parts) -> None:
        """``parts``: (name, net, the net's parameters and buffers, its optimiser) for each net,
        e.g. ``(("G", G, [*G.parameters(), *G.buffers()], opt_g), ...)`` (the list is made once)."""
        self.parts = parts
        self.opts = [(opt, opt.state, {p: dict(st) for p, st in opt.state.items()}, opt.param_groups,
                      list(opt.param_groups), [dict(g) for g in opt.param_groups]) for *_, opt in parts]
        tensors = []
        for _, _, net_tensors, opt in parts:
            tensors += net_tensors
            for st in opt.state.values():
                tensors += [v for v in st.values() if isinstance(v, torch.Tensor)]
        ids = tuple(map(id, tensors))
        with torch.no_grad():
            if ids != self._ids:              # other tensors than last time: (re)allocate the buffers
                self.buffers = [t.detach().clone() for t in tensors]
            else:
                torch._foreach_copy_(self.buffers, tensors)
        self.tensors, self._ids = tensors, ids

    def put_back(self) -> None:
        for opt, container, states, groups, group_list, group_items in self.opts:
            container.clear()
            container.update((p, dict(st)) for p, st in states.items())
            groups[:] = group_list
            for group, items in zip(group_list, group_items):
                group.clear()
                group.update(items)
            opt.state, opt.param_groups = container, groups
        with torch.no_grad():
            torch._foreach_copy_(self.tensors, self.buffers)

    def first_nonfinite_kept(self) -> str | None:
        """A name for the first kept value that was already NaN or inf when it was captured."""
        labels = []
        for (who, net, *_), (_, _, states, *_) in zip(self.parts, self.opts):
            labels += [f"a parameter of {who} ({n!r})" for n, _ in net.named_parameters()]
            labels += [f"a buffer of {who} ({n!r})" for n, _ in net.named_buffers()]
            labels += [label for label, _ in _state_labels(who, net, states)]
        return first_nonfinite(list(zip(labels, self.buffers)))


def _state_labels(who: str, net, states: dict):
    names = {p: n for n, p in net.named_parameters()}
    for p, st in states.items():
        for key, value in st.items():
            if isinstance(value, torch.Tensor):
                yield f"{who}'s optimiser state ({key!r} of {names.get(p, '?')!r})", value


def labelled_update(who: str, net, opt) -> list[tuple[str, torch.Tensor]]:
    """What one optimiser step of ``net`` writes, labelled: its parameters and its optimiser's state."""
    return [*((f"a parameter of {who} ({n!r})", p) for n, p in net.named_parameters()),
            *_state_labels(who, net, opt.state)]


def first_nonfinite(named: list[tuple[str, torch.Tensor]]) -> str | None:
    """The label of the first tensor holding a NaN or an inf (an exact check, run only after the
    fast fused norm said something is off: a huge but finite tensor can overflow a norm)."""
    for label, t in named:
        if t.is_floating_point() and not bool(torch.isfinite(t).all()):
            return label
    return None


def _on_stack(frame, start) -> bool:
    f = start
    while f is not None:
        if f is frame:
            return True
        f = f.f_back
    return False


class Undo:
    """The guard: ``undo.run("step", body)`` runs ``body`` all or nothing."""

    def __init__(self, trainer):
        self.tr = trainer
        self.kept = Kept()
        self.owner = None          # the frame of the step call that holds the guard
        self.done = True           # the owner's step finished or was undone: nothing to put back
        self.what, self.thread = "step", None
        self.tracked: list = []

    def track(self, obj) -> None:
        """Undo ``obj`` with the step: it has ``mark()`` and ``rollback(mark)`` (e.g. a Timeline)."""
        if all(o is not obj for o in self.tracked):
            self.tracked.append(obj)

    def untrack(self, obj) -> None:
        self.tracked = [o for o in self.tracked if o is not obj]

    def run(self, what: str, body) -> object:
        """Run ``body()`` (a step or sub-step, named ``what`` in messages); if it raises, put the
        trainer back as it was, tell the error so, and re-raise. Returns the trainer's state."""
        grad_mode = torch.is_grad_enabled()
        try:
            self.begin(what)
            body()
            self.commit()
        finally:
            self.end(grad_mode)
        return self.tr.state

    def begin(self, what: str) -> None:
        caller = sys._getframe(1)
        if self.owner is not None:
            if self.thread != threading.get_ident():
                raise RuntimeError("this trainer is running a step in another thread; run one step at a time")
            if _on_stack(self.owner, caller):   # a step run by a handler of a step: the outer one undoes both
                torch.set_grad_enabled(True)
                return
            self._heal()
        self._capture()
        self.what, self.done, self.thread = what, False, threading.get_ident()
        self.owner = caller                            # taken last: until here nothing needed undoing
        torch.set_grad_enabled(True)                   # training needs autograd, whatever the caller had

    def commit(self) -> None:
        if self.owner is sys._getframe(1):
            self.done = True

    def end(self, grad_mode: bool) -> None:
        caller = sys._getframe(1)
        try:
            if self.owner is caller and not self.done:
                self._roll_back(sys.exc_info()[1])
        finally:
            torch.set_grad_enabled(grad_mode)
            if self.owner is caller and self.done:
                self.owner = None

    # ------------------------------------------------------------------ keep and put back
    def _capture(self) -> None:
        tr = self.tr
        self.kept.capture((("G", tr.G, tr._g_tensors, tr.opt_g), ("D", tr.D, tr._d_tensors, tr.opt_d)))
        self.opts, self.settings, self.data = (tr.opt_g, tr.opt_d), tr.settings(), tr.data
        self.state = copy.copy(tr.state)
        self.rngs = tr.rng.get_state(), tr._display_rng.get_state()
        self.history, self.history_mark = tr.history, tr.history.mark()
        self.marks = [(obj, obj.mark()) for obj in self.tracked]
        self.modes = tr.G.training, tr.D.training
        self.requires_grad = [p.requires_grad for p in tr._params]

    def _put_back(self) -> None:
        tr = self.tr
        self.kept.put_back()
        tr.opt_g, tr.opt_d = self.opts
        tr._set(self.settings)
        tr.data, tr.state = self.data, copy.copy(self.state)
        tr.rng.set_state(self.rngs[0])
        tr._display_rng.set_state(self.rngs[1])
        tr.history = self.history
        tr.history.rollback(self.history_mark)
        for obj, mark in self.marks:
            obj.rollback(mark)
        tr.G.train(self.modes[0])
        tr.D.train(self.modes[1])
        for p, flag in zip(tr._params, self.requires_grad):
            p.requires_grad_(flag)
            p.grad = None

    def _roll_back(self, exc: BaseException | None) -> None:
        while not self.done:                 # a second Ctrl-C during the undo: finish the undo first
            try:
                self._put_back()
                self.done = True
            except KeyboardInterrupt:
                continue
            except Exception as err:         # cannot happen unless a handler rebuilt a tensor: say so, claim nothing
                self.done = True
                raise RuntimeError(f"the {self.what} failed and could NOT be undone ({type(err).__name__}: {err}); "
                                   f"the trainer's state is unknown: restore a snapshot with trainer.restore(snap), "
                                   f"or build a new trainer") from exc
        self.tr.last_good = self.tr.snapshot()
        self._tell(exc)

    def _heal(self) -> None:
        """The owner's call is over but its guard was never given back (an interrupt at a bad moment)."""
        if not self.done:
            self._put_back()
            self.done = True
            warnings.warn(f"an interrupted {self.what} had not been fully undone; it is undone now: the trainer "
                          f"is at step {self.tr.state.step}", stacklevel=4)
        self.owner = None

    def _tell(self, exc: BaseException | None) -> None:
        what, step = self.what, self.tr.state.step
        if isinstance(exc, TrainerError):
            exc.tell(f"The trainer was rolled back to the state before this {what}")
        elif isinstance(exc, KeyboardInterrupt):
            warnings.warn(f"interrupted: the unfinished {what} was undone; the trainer is at step {step}", stacklevel=4)
        elif exc is not None and hasattr(exc, "add_note"):
            exc.add_note(f"gan_edu: the trainer was rolled back to the state before this {what} (step {step}).")


def check_finite(tr, value: float, what: str) -> None:
    """A loss must be a finite number."""
    if not math.isfinite(value):
        raise TrainingDiverged(tr.state.step, what, value, *cause_of_divergence(tr, what))


#: optimiser state where an inf freezes a weight with no NaN in sight (Adam's and RMSprop's second
#: moment); any other non-finite state (a first moment, a momentum) shows up in the parameters at once
SECOND_MOMENTS = ("exp_avg_sq", "square_avg")


def check_update(tr, who: str, net, opt, params: list) -> None:
    """After an optimiser step: ``who``'s parameters and second moments are all finite. One sum
    over all of them in the common case (NaN and inf survive a sum); the exact, named check runs
    only when that sum is not finite (a huge but finite total can overflow)."""
    tensors = [*params, *(st[k] for st in opt.state.values() for k in SECOND_MOMENTS if k in st)]
    with torch.no_grad():
        total = torch.cat([t.reshape(-1) for t in tensors]).sum()
    if not math.isfinite(total.item()):
        what = first_nonfinite(labelled_update(who, net, opt))
        if what is not None:
            raise TrainingDiverged(tr.state.step, what, None, *cause_of_divergence(tr, what))


def cause_of_divergence(tr, what: str) -> tuple[str, str]:
    """(cause, advice) for ``what`` turning NaN/inf, as far as can be told: NaN data, a value already
    NaN before the step (undoing cannot repair that), an overflowing optimiser state; else no
    cause is named and the advice is the usual one (a too large step: a smaller learning rate)."""
    real = tr.state.real
    if real is not None and real.is_floating_point() and not bool(torch.isfinite(real).all()):
        return (f"Cause: the real batch holds NaN or inf values -- the data {tr.data.name!r} has non-finite samples.",
                "clean the data (a smaller learning rate would not help)")
    before = tr._undo.kept.first_nonfinite_kept()
    if before is not None:
        return (f"Cause: {before} was already NaN or inf before this step (set outside training: by a handler, "
                f"by hand or from a file), so undoing the step cannot repair it.",
                "restore a good snapshot (trainer.restore(snapshot)) or build new networks")
    if "optimiser state" in what:
        return ("Cause: a gradient too large for float32 (its square overflowed), which would silently freeze "
                "that weight.", "try a smaller learning rate")
    return "", "try a smaller learning rate"
