r"""The stepwise GAN trainer: one class, one loop, events at every sub-step.

One **step** is ``d_steps`` discriminator updates followed by one generator
update (never call it an epoch). ``step_d()`` and ``step_g()`` run one
sub-step alone, like GAN Lab's "step D" / "step G" buttons.

Events fired during one ``step()`` with ``d_steps = k``::

    step_start
      k x ( d_forward_end, d_backward_end, d_step_end )
    g_forward_end, g_backward_end, g_step_end
    step_end

plus ``run_start`` / ``run_end`` around ``run(n)``. ``*_backward_end`` fires
after the gradients are computed and *before* the optimiser uses them, so a
handler can look at (or plot) the gradients that are about to be applied.
A handler is any function ``fn(trainer)``; it reads plain attributes such as
``trainer.state.loss_d`` or ``trainer.G``. ``every=N`` runs it only on steps
N, 2N, ... (``state.step`` is 1-based inside a step).

**A step is all-or-nothing.** If a handler raises (re-raised as
:class:`HandlerError` naming the handler and the event), a loss or parameter
becomes NaN/inf (:class:`TrainingDiverged`, carrying the step number), or you
interrupt the kernel, the trainer is put back exactly as it was before that
step or sub-step: both networks, both optimisers, the random state, the
counters and the history. A copy of that last good state is kept as
``trainer.last_good`` and ``trainer.restore()`` brings it back again at any
time. Nothing a learner did is lost silently.
"""
from __future__ import annotations

import contextlib
import copy
import math
import warnings
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from . import _check
from . import data as data_mod
from . import losses as losses_mod
from . import models as models_mod
from .history import History

__all__ = ["Trainer", "TrainState", "TrainingDiverged", "HandlerError", "EVENTS", "resolve_device", "load_generator"]

EVENTS = ("run_start", "step_start", "d_forward_end", "d_backward_end", "d_step_end",
          "g_forward_end", "g_backward_end", "g_step_end", "step_end", "run_end")
OPTIMIZERS = ("adam", "sgd", "rmsprop")
CHECKPOINT_FORMAT = "gan_edu.checkpoint"


class TrainingDiverged(RuntimeError):
    """A loss or a parameter became NaN or infinite. ``.step`` is the step it happened in,
    ``.what`` the quantity; the trainer has been rolled back to the state before it."""

    def __init__(self, step: int, what: str, value: float | None = None):
        self.step, self.what, self.value = step, what, value
        shown = "" if value is None else f" ({value})"
        super().__init__(f"training diverged at step {step}: {what} is not finite{shown}. The trainer was "
                         f"rolled back to the state before this step; try a smaller learning rate.")


class HandlerError(RuntimeError):
    """A handler raised. ``.handler`` and ``.event`` say which; the original error is ``__cause__``."""

    def __init__(self, handler: Callable, event: str, step: int, error: BaseException):
        self.handler, self.event, self.step = handler, event, step
        name = getattr(handler, "__qualname__", repr(handler))
        super().__init__(f"handler {name!r} on event {event!r} raised at step {step}: "
                         f"{type(error).__name__}: {error}. The trainer was rolled back to the state before this step.")


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
    d_real: float = math.nan      #: mean sigmoid(D(x)) on the last real batch
    d_fake: float = math.nan      #: mean sigmoid(D(G(z))) on the last fake batch
    real: torch.Tensor | None = None         #: the last real batch x
    z: torch.Tensor | None = None            #: the last noise batch z
    fake: torch.Tensor | None = None         #: G(z) for that z
    real_logits: torch.Tensor | None = None  #: D's logits on ``real``
    fake_logits: torch.Tensor | None = None  #: D's logits on ``fake``
    loss: torch.Tensor | None = None         #: the loss tensor of the phase running now
    stop: bool = False            #: set True in a handler to end ``run()`` after this step


def resolve_device(device) -> torch.device:
    """``"auto"`` -> CUDA if available, else CPU. Anything else is passed to ``torch.device``."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        return torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(f"device must be 'auto', 'cpu', 'cuda' or a torch.device, got {device!r}") from None


class Trainer:
    """Train generator ``G`` against discriminator ``D`` (which returns logits) on ``data``.

    ``data`` is a :mod:`gan_edu.data` source (or an array of points). ``loss`` is a name
    from :mod:`gan_edu.losses`. ``pack=m`` shows D ``m`` samples at once (PacGAN): D must
    take ``m`` times the data's features. ``unroll=k`` computes G's loss against D as it
    will be after ``k`` more updates (unrolled GAN). ``real_label=0.9`` is one-sided label smoothing.
    """

    def __init__(self, G: nn.Module, D: nn.Module, data, loss="non_saturating", batch_size: int = 256,
                 lr_g: float = 1e-3, lr_d: float = 1e-3, betas=(0.5, 0.999), d_steps: int = 1, seed: int = 0,
                 optimizer: str = "adam", device="auto", real_label: float = 1.0, gp_weight: float = 10.0,
                 pack: int = 1, unroll: int = 0, history_size: int = 4096):
        if not isinstance(G, nn.Module):
            raise TypeError(f"G must be a torch.nn.Module (e.g. gan_edu.models.MLPGenerator), got {type(G).__name__}")
        if not isinstance(D, nn.Module):
            raise TypeError(f"D must be a torch.nn.Module (e.g. gan_edu.models.MLPDiscriminator), got {type(D).__name__}")
        if not isinstance(getattr(G, "latent_dim", None), int):
            raise ValueError("G must have an integer attribute latent_dim (the size of z), as gan_edu generators do")
        if not isinstance(data, data_mod.DataSource):
            if isinstance(data, (torch.Tensor,)) or hasattr(data, "__array__"):
                data = data_mod.from_points(data)
            else:
                raise TypeError(f"data must be a gan_edu.data source (e.g. ge.data.ring()) or an array of points, "
                                f"got {type(data).__name__}")
        self.data = data
        self.batch_size = _check.positive_int("batch_size", batch_size)
        self.seed = _check.integer("seed", seed, minimum=0)
        self.optimizer = _check.one_of("optimizer", optimizer, OPTIMIZERS)
        self.pack = _check.positive_int("pack", pack)
        self.unroll = _check.integer("unroll", unroll, minimum=0)
        if self.batch_size % self.pack:
            raise ValueError(f"batch_size ({batch_size}) must be a multiple of pack ({pack}): D sees the batch in groups of {pack}")
        self.device = resolve_device(device)
        self.configure(loss=loss, lr_g=lr_g, lr_d=lr_d, betas=betas, d_steps=d_steps, real_label=real_label,
                       gp_weight=gp_weight, _init=True)
        self.G, self.D = G.to(self.device), D.to(self.device)
        self._check_shapes()
        self._g_params, self._d_params = list(self.G.parameters()), list(self.D.parameters())
        self._tensors = [*self._g_params, *self.G.buffers(), *self._d_params, *self.D.buffers()]
        self.opt_g = self._make_optimizer(self.G, self.lr_g)
        self.opt_d = self._make_optimizer(self.D, self.lr_d)
        self.generator = torch.Generator().manual_seed(self.seed)        # z, real batches, GP mixing
        self._display_generator = torch.Generator().manual_seed(self.seed + 1)
        self._concat_d = not models_mod.is_batch_coupled(self.D)
        self.state = TrainState()
        self.history = History(history_size)
        self.handlers: dict[str, list[tuple[Callable, int]]] = defaultdict(list)
        self.last_good: dict | None = None
        self._undo = _Undo(self)

    # ------------------------------------------------------------------ configuration
    def configure(self, *, loss=None, lr_g=None, lr_d=None, betas=None, d_steps=None, real_label=None,
                  gp_weight=None, optimizer=None, data=None, _init=False) -> Trainer:
        """Change settings between steps (the training lab's live controls). Only the
        arguments given change; each is validated like in the constructor. A new
        ``optimizer`` starts with fresh state; new ``data`` must have samples of the same shape."""
        if data is not None:
            if not isinstance(data, data_mod.DataSource):
                raise TypeError(f"data must be a gan_edu.data source, got {type(data).__name__}")
            if tuple(data.shape) != tuple(self.data.shape):
                raise ValueError(f"data must have samples of shape {tuple(self.data.shape)} like the current data, "
                                 f"got {tuple(data.shape)}; build a new Trainer for other shapes")
            self.data = data
        if loss is not None or _init:
            self.loss = losses_mod.get(loss)
        if d_steps is not None or _init:
            self.d_steps = _check.positive_int("d_steps", d_steps)
        if gp_weight is not None or _init:
            self.gp_weight = _check.number("gp_weight", gp_weight, minimum=0.0)
        if real_label is not None or _init:
            rl = _check.number("real_label", real_label, minimum=0.0, strict_min=True, maximum=1.0)
            if rl != 1.0 and not self.loss.supports_real_label:
                raise ValueError(f"real_label={rl} (label smoothing) needs a loss with labels "
                                 f"(minimax, non_saturating, least_squares), not {self.loss.name!r}")
            self.real_label = rl
        if betas is not None or _init:
            if not (isinstance(betas, (tuple, list)) and len(betas) == 2
                    and all(isinstance(b, (int, float)) and not isinstance(b, bool) and 0 <= b < 1 for b in betas)):
                raise ValueError(f"betas must be two numbers in [0, 1), e.g. (0.5, 0.999); got {betas!r}")
            self.betas = (float(betas[0]), float(betas[1]))
        for name, value in (("lr_g", lr_g), ("lr_d", lr_d)):
            if value is not None or _init:
                setattr(self, name, _check.positive(name, value))
        if optimizer is not None and not _init:
            self.optimizer = _check.one_of("optimizer", optimizer, OPTIMIZERS)
            self.opt_g = self._make_optimizer(self.G, self.lr_g)
            self.opt_d = self._make_optimizer(self.D, self.lr_d)
            self._undo.invalidate()
        if not _init:
            for opt, lr in ((self.opt_g, self.lr_g), (self.opt_d, self.lr_d)):
                for group in opt.param_groups:
                    group["lr"] = lr
                    if "betas" in group:
                        group["betas"] = self.betas
        return self

    def _make_optimizer(self, net: nn.Module, lr: float) -> torch.optim.Optimizer:
        params = [p for p in net.parameters() if p.requires_grad]
        if not params:
            raise ValueError(f"{type(net).__name__} has no trainable parameters")
        if self.optimizer == "adam":
            return torch.optim.Adam(params, lr=lr, betas=self.betas, **_fast_adam_kwargs(self.device))
        if self.optimizer == "rmsprop":
            return torch.optim.RMSprop(params, lr=lr)
        return torch.optim.SGD(params, lr=lr)

    @torch.no_grad()
    def _check_shapes(self) -> None:
        """Dry-run G and D on a tiny batch so a mismatch fails now, with a clear message."""
        g = torch.Generator().manual_seed(0)
        n = 2 * self.pack
        modes = self.G.training, self.D.training
        self.G.eval(), self.D.eval()
        try:
            z = models_mod.sample_noise(n, self.G.latent_dim, getattr(self.G, "noise", "normal"), g, self.device)
            try:
                fake = self.G(z)
            except RuntimeError as err:
                raise ValueError(f"G could not take noise of shape {tuple(z.shape)} (latent_dim={self.G.latent_dim}): {err}") from None
            if tuple(fake.shape[1:]) != tuple(self.data.shape):
                raise ValueError(f"G makes samples of shape {tuple(fake.shape[1:])} but the data {self.data.name!r} "
                                 f"has samples of shape {tuple(self.data.shape)}; build G to match the data")
            want = self.pack * self.data.shape[0]
            in_dim = getattr(self.D, "in_dim", None) or getattr(self.D, "channels", None)
            if in_dim is not None and in_dim != want:
                what = "in_dim" if hasattr(self.D, "in_dim") else "channels"
                raise ValueError(f"D has {what}={in_dim} but must take {want}: pack={self.pack} x {self.data.shape[0]} "
                                 f"per sample (PacGAN concatenates {self.pack} samples); build D with {what}={want}")
            try:
                logits = self.D(self._packed(fake))
            except RuntimeError as err:
                raise ValueError(f"D cannot take G's samples of shape {tuple(fake.shape[1:])}: {err}") from None
            if tuple(logits.shape) != (n // self.pack,):
                raise ValueError(f"D must return one logit per sample, shape [N]; it returned {tuple(logits.shape)}")
        finally:
            self.G.train(modes[0]), self.D.train(modes[1])

    # ------------------------------------------------------------------ events
    def on(self, event: str, fn: Callable | None = None, every: int = 1):
        """Call ``fn(trainer)`` at ``event`` (every ``every`` steps). Works as a decorator:
        ``@tr.on("d_backward_end")``. Returns ``fn``."""
        if event not in EVENTS:
            raise ValueError(f"unknown event {event!r}; valid events: {', '.join(EVENTS)}")
        every = _check.positive_int("every", every)
        if fn is None:
            return lambda f: self.on(event, f, every)
        if not callable(fn):
            raise TypeError(f"the handler for {event!r} must be callable, got {type(fn).__name__}")
        self.handlers[event].append((fn, every))
        return fn

    def off(self, event: str, fn: Callable) -> None:
        """Remove a handler added with :meth:`on` (no error if it is not there)."""
        self.handlers[event] = [(f, e) for f, e in self.handlers.get(event, []) if f is not fn]

    @contextlib.contextmanager
    def attached(self, handlers: dict[str, Callable] | None = None, every: int = 1, **by_event: Callable):
        """``with tr.attached(step_end=fn):`` -- the handlers are on for the block and removed
        afterwards, also when the block raises. ``handlers`` maps event -> fn (or a list of fns)."""
        pairs = []
        for event, fns in {**(handlers or {}), **by_event}.items():
            for fn in (fns if isinstance(fns, (list, tuple)) else [fns]):
                self.on(event, fn, every)
                pairs.append((event, fn))
        try:
            yield self
        finally:
            for event, fn in pairs:
                self.off(event, fn)

    def _fire(self, event: str) -> None:
        self.state.event = event
        for fn, every in self.handlers.get(event, ()):
            if every == 1 or self.state.step % every == 0:
                try:
                    fn(self)
                except (TrainingDiverged, HandlerError, KeyboardInterrupt):
                    raise
                except Exception as err:
                    raise HandlerError(fn, event, self.state.step, err) from err

    # ------------------------------------------------------------------ the loop
    def step(self) -> TrainState:
        """ONE training step: ``d_steps`` D updates, then one G update."""
        with self._undo:
            s = self.state
            s.step += 1
            self._fire("step_start")
            for s.d_iter in range(self.d_steps):
                z, fake = self._d_update(keep_graph=s.d_iter == self.d_steps - 1)
            self._g_update(z, fake)
            self.history.record(s.step, loss_d=s.loss_d, loss_g=s.loss_g, d_real=s.d_real, d_fake=s.d_fake)
            self._fire("step_end")
        return self.state

    def step_d(self) -> TrainState:
        """One discriminator update alone (G stays fixed). ``state.step`` does not advance."""
        with self._undo:
            self.state.d_iter = 0
            self._d_update(keep_graph=False)
        return self.state

    def step_g(self) -> TrainState:
        """One generator update alone (D stays fixed). ``state.step`` does not advance."""
        with self._undo:
            self._g_update(None, None)
        return self.state

    def _d_update(self, keep_graph: bool):
        # ===== update D: maximise  E log D(x) + E log(1 - D(G(z)))
        #       i.e. minimise the loss on real (label 1) and fake (label 0); G is held fixed.
        s = self.state
        self.opt_d.zero_grad(set_to_none=True)
        self.opt_g.zero_grad(set_to_none=True)
        real = self.data.sample(self.batch_size, generator=self.generator).to(self.device)
        z = self.G.sample_noise(self.batch_size, generator=self.generator)
        if keep_graph:                      # this fake is reused by the G update that follows
            fake = self.G(z)
        else:
            with torch.no_grad():
                fake = self.G(z)
        real_logits, fake_logits = self._d_logits(real, fake.detach())  # detach: no gradient into G here
        loss = self._d_loss(real, fake, real_logits, fake_logits)
        s.real, s.z, s.fake, s.real_logits, s.fake_logits, s.loss = real, z, fake, real_logits, fake_logits, loss
        s.loss_d, s.d_real, s.d_fake = torch.stack([loss.detach(), torch.sigmoid(real_logits.detach()).mean(),
                                                    torch.sigmoid(fake_logits.detach()).mean()]).tolist()  # one sync
        self._finite(s.loss_d, "loss_d")
        self._fire("d_forward_end")
        loss.backward()
        self._fire("d_backward_end")        # D's .grad is filled in; D has not moved yet
        self.opt_d.step()
        self._finite_params(self._d_params, "a parameter of D")
        s.d_updates += 1
        self._fire("d_step_end")
        return z, fake

    def _g_update(self, z, fake):
        # ===== update G: fool D. Non-saturating: maximise E log D(G(z)) (BCE against the REAL label);
        #       minimax: minimise E log(1 - D(G(z))). D is frozen: the gradient only passes through it.
        s = self.state
        self.opt_g.zero_grad(set_to_none=True)
        self.opt_d.zero_grad(set_to_none=True)
        if fake is None:
            z = self.G.sample_noise(self.batch_size, generator=self.generator)
            fake = self.G(z)
        saved_d = self._look_ahead() if self.unroll else None
        _set_requires_grad(self._d_params, False)
        try:
            fake_logits = self.D(self._packed(fake))
            loss = self.loss.g_loss(fake_logits)
            s.z, s.fake, s.fake_logits, s.loss = z, fake, fake_logits, loss
            s.loss_g, s.d_fake = torch.stack([loss.detach(), torch.sigmoid(fake_logits.detach()).mean()]).tolist()
            self._finite(s.loss_g, "loss_g")
            self._fire("g_forward_end")
            loss.backward()                 # flows through D into G
        finally:
            _set_requires_grad(self._d_params, True)
            if saved_d is not None:         # unrolled: back to the real D before anything else
                self.D.load_state_dict(saved_d[0])
                self.opt_d.load_state_dict(saved_d[1])
        self._fire("g_backward_end")        # G's .grad is filled in; G has not moved yet
        self.opt_g.step()
        self._finite_params(self._g_params, "a parameter of G")
        s.g_updates += 1
        self._fire("g_step_end")

    def run(self, steps: int, progress: bool = True) -> None:
        """``steps`` training steps with a progress bar; a handler can end it early with
        ``trainer.state.stop = True``."""
        steps = _check.positive_int("steps", steps)
        from tqdm.auto import tqdm

        self.state.stop = False
        self._fire("run_start")
        with tqdm(total=steps, disable=not progress, desc="training", unit="step", leave=False) as bar:
            for i in range(steps):
                self.step()
                bar.update(1)
                if i % 50 == 0 or i == steps - 1:
                    bar.set_postfix(loss_d=f"{self.state.loss_d:.3f}", loss_g=f"{self.state.loss_g:.3f}",
                                    D_real=f"{self.state.d_real:.2f}", D_fake=f"{self.state.d_fake:.2f}", refresh=False)
                if self.state.stop:
                    break
        self._fire("run_end")

    # ------------------------------------------------------------------ helpers of the loop
    def _d_loss(self, real, fake, real_logits, fake_logits) -> torch.Tensor:
        loss = self.loss.d_loss(real_logits, fake_logits, self.real_label)
        if self.loss.needs_gradient_penalty:
            loss = loss + self.gp_weight * losses_mod.gradient_penalty(
                self.D, self._packed(real), self._packed(fake.detach()), self.generator)
        return loss

    def _look_ahead(self):
        """Unrolled GAN (Metz et al. 2017): let D take ``unroll`` more updates on fresh batches,
        so G's loss is measured against the D that would answer its move. Returns D's and its
        optimiser's state to put back after G's backward pass. (First-order: the gradient does
        not flow back through D's updates, as in most re-implementations.)"""
        saved = (_clone(self.D.state_dict()), _clone_tree(self.opt_d.state_dict()))
        for _ in range(self.unroll):
            real = self.data.sample(self.batch_size, generator=self.generator).to(self.device)
            with torch.no_grad():
                fake = self.G(self.G.sample_noise(self.batch_size, generator=self.generator))
            self.opt_d.zero_grad(set_to_none=True)
            self._d_loss(real, fake, *self._d_logits(real, fake)).backward()
            self.opt_d.step()
        self.opt_d.zero_grad(set_to_none=True)
        return saved

    def _packed(self, x: torch.Tensor) -> torch.Tensor:
        """PacGAN: [B, C, ...] -> [B/m, m*C, ...], m samples side by side per D input."""
        if self.pack == 1:
            return x
        return x.reshape(x.shape[0] // self.pack, self.pack * x.shape[1], *x.shape[2:])

    def _d_logits(self, real: torch.Tensor, fake: torch.Tensor):
        real, fake = self._packed(real), self._packed(fake)
        if self._concat_d:                  # one forward for both halves: same numbers, less overhead
            logits = self.D(torch.cat([real, fake]))
            return logits[: real.shape[0]], logits[real.shape[0]:]
        return self.D(real), self.D(fake)   # BatchNorm / minibatch-std: keep the batches apart

    def _finite(self, value: float, what: str) -> None:
        if not math.isfinite(value):
            raise TrainingDiverged(self.state.step, what, value)

    def _finite_params(self, params: list[torch.Tensor], what: str) -> None:
        with torch.no_grad():
            norms = torch._foreach_norm(params) if hasattr(torch, "_foreach_norm") else [p.norm() for p in params]
            if not bool(torch.isfinite(torch.stack(norms).sum())):
                raise TrainingDiverged(self.state.step, what)

    # ------------------------------------------------------------------ sampling
    @torch.no_grad()
    def sample(self, n: int, z: torch.Tensor | None = None, generator: torch.Generator | None = None) -> torch.Tensor:
        """``n`` generator samples (no gradient, G in eval mode). Uses its own random stream,
        so drawing pictures never changes the course of training. Pass ``z`` to choose the noise."""
        if z is None:
            z = self.G.sample_noise(n, generator=generator or self._display_generator)
        was = self.G.training
        self.G.eval()
        try:
            return self.G(z.to(self.device)).cpu()
        finally:
            self.G.train(was)

    @torch.no_grad()
    def d_prob(self, x: torch.Tensor) -> torch.Tensor:
        """sigmoid(D(x)): D's probability that each sample is real (D in eval mode). With
        ``pack=m``, D judges a pack of m copies of each sample."""
        x = torch.as_tensor(x, dtype=torch.float32).to(self.device)
        if self.pack > 1:
            x = x.repeat_interleave(self.pack, dim=0)
        was = self.D.training
        self.D.eval()
        try:
            return torch.sigmoid(self.D(self._packed(x))).cpu()
        finally:
            self.D.train(was)

    # ------------------------------------------------------------------ snapshots
    def snapshot(self) -> dict:
        """A deep copy of everything training changes: G, D, both optimisers, the counters
        and the random state. ``restore(snap)`` goes back to it (and forgets later history)."""
        return {
            "G": _clone(self.G.state_dict()), "D": _clone(self.D.state_dict()),
            "opt_g": _clone_tree(self.opt_g.state_dict()), "opt_d": _clone_tree(self.opt_d.state_dict()),
            "counters": {"step": self.state.step, "d_updates": self.state.d_updates, "g_updates": self.state.g_updates},
            "scalars": {k: getattr(self.state, k) for k in ("loss_d", "loss_g", "d_real", "d_fake")},
            "rng": self.generator.get_state(),
        }

    def restore(self, snapshot: dict | None = None) -> Trainer:
        """Go back to ``snapshot`` (from :meth:`snapshot`), or to ``last_good`` if none is given."""
        snap = snapshot if snapshot is not None else self.last_good
        if snap is None:
            raise ValueError("nothing to restore: pass a snapshot from trainer.snapshot() "
                             "(last_good is only set after a failed step)")
        if not isinstance(snap, dict) or not {"G", "D", "opt_g", "opt_d", "counters", "rng"} <= snap.keys():
            raise ValueError("snapshot must be a dict made by trainer.snapshot()")
        self.G.load_state_dict(snap["G"])
        self.D.load_state_dict(snap["D"])
        self.opt_g.load_state_dict(_clone_tree(snap["opt_g"]))
        self.opt_d.load_state_dict(_clone_tree(snap["opt_d"]))
        self._undo.invalidate()
        self.generator.set_state(snap["rng"])
        for k, v in {**snap["counters"], **snap.get("scalars", {})}.items():
            setattr(self.state, k, v)
        self.state.stop = False
        self.history.truncate(self.state.step)
        return self

    # ------------------------------------------------------------------ save / load
    def config(self) -> dict:
        """The constructor arguments, as plain values (what a checkpoint stores)."""
        return dict(loss=self.loss.name, batch_size=self.batch_size, lr_g=self.lr_g, lr_d=self.lr_d,
                    betas=list(self.betas), d_steps=self.d_steps, seed=self.seed, optimizer=self.optimizer,
                    real_label=self.real_label, gp_weight=self.gp_weight, pack=self.pack, unroll=self.unroll,
                    history_size=self.history.capacity)

    def save(self, path) -> None:
        """Write a checkpoint that :meth:`load` reads back safely (tensors and plain values only)."""
        for name, net in (("G", self.G), ("D", self.D)):
            if type(net).__name__ not in models_mod.MODELS or not hasattr(net, "config"):
                raise ValueError(f"save() rebuilds gan_edu models only; {name} is a {type(net).__name__}. "
                                 f"Save your own modules with torch.save(trainer.{name}.state_dict(), path)")
        if self.loss.name not in losses_mod.LOSSES:
            raise ValueError(f"save() needs a built-in loss; this trainer uses {self.loss!r}")
        ckpt = {
            "format": CHECKPOINT_FORMAT, "version": 1,
            "G": {"class": type(self.G).__name__, "config": dict(self.G.config), "state": self.G.state_dict()},
            "D": {"class": type(self.D).__name__, "config": dict(self.D.config), "state": self.D.state_dict()},
            "opt_g": self.opt_g.state_dict(), "opt_d": self.opt_d.state_dict(),
            "trainer": self.config(), "data": self.data.spec(),
            "counters": {"step": self.state.step, "d_updates": self.state.d_updates, "g_updates": self.state.g_updates},
            "rng": self.generator.get_state(), "history": self.history.state_dict(),
        }
        torch.save(ckpt, path)

    @classmethod
    def load(cls, path, data=None, device="auto") -> Trainer:
        """Rebuild a trainer from :meth:`save`. Reads with ``torch.load(weights_only=True)``:
        a file with anything but tensors and plain values is refused, never unpickled."""
        ckpt = _read_checkpoint(path)
        G = models_mod.build(ckpt["G"]["class"], ckpt["G"]["config"])
        D = models_mod.build(ckpt["D"]["class"], ckpt["D"]["config"])
        G.load_state_dict(ckpt["G"]["state"])
        D.load_state_dict(ckpt["D"]["state"])
        cfg = dict(ckpt["trainer"])
        cfg["betas"] = tuple(cfg["betas"])
        tr = cls(G, D, data if data is not None else data_mod.from_spec(ckpt["data"]), device=device, **cfg)
        tr.opt_g.load_state_dict(ckpt["opt_g"])
        tr.opt_d.load_state_dict(ckpt["opt_d"])
        tr._undo.invalidate()
        for k, v in ckpt["counters"].items():
            setattr(tr.state, k, v)
        tr.generator.set_state(ckpt["rng"])
        tr.history.load_state_dict(ckpt["history"])
        return tr

    def __repr__(self) -> str:
        return (f"<Trainer step={self.state.step} loss={self.loss.name} data={self.data.name} "
                f"G={type(self.G).__name__} D={type(self.D).__name__} device={self.device.type}>")


def _read_checkpoint(path) -> dict:
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise FileNotFoundError(f"no checkpoint at {str(path)!r}") from None
    except Exception as err:  # noqa: BLE001 - any failure to read means "not ours"
        raise ValueError(f"{str(path)!r} is not a gan_edu checkpoint (it could not be read safely: "
                         f"{type(err).__name__})") from None
    if not isinstance(ckpt, dict) or ckpt.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{str(path)!r} is not a gan_edu checkpoint (no 'format': {CHECKPOINT_FORMAT!r} entry)")
    if ckpt.get("version") != 1:
        raise ValueError(f"{str(path)!r} is a gan_edu checkpoint of version {ckpt.get('version')!r}; this gan_edu reads version 1")
    return ckpt


def load_generator(path) -> nn.Module:
    """Only the generator of a checkpoint written by :meth:`Trainer.save` (eval mode, CPU),
    without rebuilding the data or the discriminator."""
    ckpt = _read_checkpoint(path)
    G = models_mod.build(ckpt["G"]["class"], ckpt["G"]["config"])
    G.load_state_dict(ckpt["G"]["state"])
    return G.eval()


def _clone_tree(obj):
    """A copy of nested dicts / lists / tuples with every tensor cloned (much faster than deepcopy)."""
    if isinstance(obj, torch.Tensor):
        return obj.detach().clone()
    if isinstance(obj, dict):
        return {k: _clone_tree(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_clone_tree(v) for v in obj)
    return obj


def _clone(state_dict: dict) -> dict:
    return {k: v.detach().clone() for k, v in state_dict.items()}


def _fast_adam_kwargs(device: torch.device) -> dict:
    """The fastest Adam this torch offers on ``device``: the fused kernel (one pass over all
    parameters; CPU support since torch 2.4, about 3x faster than the default here), else the
    multi-tensor one. Same maths as the plain loop, equal within float rounding."""
    for kwargs in ({"fused": True}, {"foreach": True}):
        try:
            p = torch.zeros(1, device=device, requires_grad=True)
            opt = torch.optim.Adam([p], **kwargs)
            p.grad = torch.ones_like(p)
            opt.step()
            return kwargs
        except (RuntimeError, TypeError, ValueError):
            continue
    return {}


class _Undo:
    """Makes each step all-or-nothing: copies every tensor a step can change into
    buffers kept between steps (one fused copy, no allocation), and copies them back
    if the step raises. See the module docstring for the rule."""

    def __init__(self, tr: Trainer):
        self.tr = tr
        self.buffers: list[torch.Tensor] | None = None
        self.state_keys: list[set] = []
        self.depth = 0
        self._cache: tuple | None = None

    def invalidate(self) -> None:
        """Forget the cached tensor list (the optimisers' state objects were replaced)."""
        self._cache = None

    def _live(self) -> list[torch.Tensor]:
        tr = self.tr
        key = (id(tr.opt_g), id(tr.opt_d), len(tr.opt_g.state), len(tr.opt_d.state))
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        out = list(tr._tensors)
        for opt in (tr.opt_g, tr.opt_d):
            for group in opt.param_groups:
                for p in group["params"]:
                    st = opt.state.get(p)
                    if st:
                        out.extend(v for v in st.values() if isinstance(v, torch.Tensor))
        self._cache = (key, out)
        return out

    def __enter__(self):
        self.depth += 1
        if self.depth > 1:
            return self
        tr = self.tr
        live = self._live()
        with torch.no_grad():
            if self.buffers is None or len(self.buffers) != len(live):
                self.buffers = [t.detach().clone() for t in live]
                self.state_keys = [set(opt.state.keys()) for opt in (tr.opt_g, tr.opt_d)]
            else:
                _copy_all(self.buffers, live)
        self.state = copy.copy(tr.state)
        self.rng = tr.generator.get_state()
        return self

    def __exit__(self, exc_type, exc, tb):
        self.depth -= 1
        if exc_type is None or self.depth > 0:
            return False
        tr = self.tr
        for opt, keys in zip((tr.opt_g, tr.opt_d), self.state_keys):
            for p in [p for p in opt.state if p not in keys]:   # optimiser state born in the failed step
                del opt.state[p]
        self.invalidate()
        live = self._live()
        with torch.no_grad():
            _copy_all(live, self.buffers)
        tr.state = copy.copy(self.state)
        tr.generator.set_state(self.rng)
        tr.history.truncate(tr.state.step)
        _set_requires_grad(tr._d_params, True)
        tr.opt_g.zero_grad(set_to_none=True)
        tr.opt_d.zero_grad(set_to_none=True)
        tr.last_good = tr.snapshot()
        if exc_type is KeyboardInterrupt:
            warnings.warn(f"interrupted: the unfinished step was undone; the trainer is at step {tr.state.step}",
                          stacklevel=2)
        return False


def _set_requires_grad(params: list[torch.Tensor], flag: bool) -> None:
    for p in params:
        p.requires_grad_(flag)


def _copy_all(dst: list[torch.Tensor], src: list[torch.Tensor]) -> None:
    if hasattr(torch, "_foreach_copy_"):
        torch._foreach_copy_(dst, src)
    else:
        for d, s in zip(dst, src):
            d.copy_(s)
