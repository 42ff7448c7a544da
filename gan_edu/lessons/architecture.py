r"""Lesson 00: one GAN step, caught live, and what a few hundred steps do.

::

    z ──► [G] ──► G(z) ──►┐        ┌──► D(G(z)) ─┐
                          ├─► [D] ─┤             ├──► loss
                x ───────►┘        └──► D(x) ────┘
    ◄──────────── gradients (back into D, and through D into G)

* :func:`catch_step` -- run one training step and catch every tensor of the diagram with the
  trainer's events (``step_start``, ``d_forward_end`` ... ``g_step_end``) into a
  :class:`Capture`: z, G(z), x, D's logits, both losses, per-layer gradient norms, the push on
  each fake, which network got a gradient and which one moved in each update;
* :func:`describe` (a tensor in a few lines) and :func:`loss_terms` (D's loss split into its
  real and fake parts), for reading a capture;
* :func:`compare_before_after` -- train a few hundred steps and measure, for the same noise,
  how far G's samples are from the real blobs before and after (:func:`distance_to_modes`);
  :func:`explorer_start` builds the trainer it runs on in lesson 00's prediction: a NEW tiny GAN in
  the state the explorer starts in, never the explorer's own trainer (which the learner may have
  clicked on), so the prediction's outcome is the same however often and whenever it runs.

The explorer that shows all this as a clickable diagram is
:class:`gan_edu.widgets.explorer.ArchitectureExplorer`; the seeded tiny GAN it trains by default
is :func:`gan_edu.lessons.factory.tiny_gan`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import torch

from .. import _check
from ..recorders import layer_grad_norms
from ..trainer import Trainer
from .factory import tiny_gan
from .gradflow import changed, has_grad, parameters_of
from .plane import d_grid, fixed_sample, manifold_lines

__all__ = ["Capture", "catch_step", "describe", "loss_terms", "guessing_losses", "distance_to_modes", "Moment", "Comparison",
           "compare_before_after", "explorer_start"]


# --------------------------------------------------------------------------- one step, caught
@dataclass
class Capture:
    """Everything caught during one training step (all detached, on the CPU)."""

    step: int = 0
    z: torch.Tensor | None = None                #: the noise of the step [B, latent_dim]
    fake: torch.Tensor | None = None             #: G(z) [B, 2]
    real: torch.Tensor | None = None             #: x [B, 2]
    real_logits: torch.Tensor | None = None      #: D's logits on x in the D update [B]
    fake_logits: torch.Tensor | None = None      #: D's logits on G(z) in the D update [B]
    fake_logits_g: torch.Tensor | None = None    #: D's logits on G(z) in the G update (after D moved) [B]
    loss_d: torch.Tensor | None = None           #: D's loss (a scalar tensor)
    loss_g: torch.Tensor | None = None           #: G's loss (a scalar tensor)
    grad_d: dict = field(default_factory=dict)   #: D's per-layer gradient norms in the D update
    grad_g: dict = field(default_factory=dict)   #: G's per-layer gradient norms in the G update
    push: torch.Tensor | None = None             #: -d loss_G / d G(z): how the G update pushes each fake [B, 2]
    g_grad_in_d_update: bool = False             #: did any G parameter get a gradient in the D update?
    d_grad_in_g_update: bool = False             #: did any D parameter get a gradient in the G update?
    changed: dict = field(default_factory=dict)  #: {"D update": {"D": bool, "G": bool}, "G update": {...}}
    # the networks as they were during the step (the trainer may move on before they are drawn)
    manifold: list | None = None                 #: G's z-grid after G, for the G that made ``fake``
    heat_d_update: np.ndarray | None = None      #: sigmoid(D) over the plane, D as it scored the D update
    heat_g_update: np.ndarray | None = None      #: the same, D after its update (what the G update pushes against)


class _Catcher:
    """Trainer handlers that fill a :class:`Capture` during one step, one per event."""

    def __init__(self, extent=None):
        self.extent = extent                      # where to picture D (None: no pictures)
        self.cap = Capture()

    def handlers(self) -> dict:
        return {"step_start": self.step_start, "d_forward_end": self.d_forward_end,
                "d_backward_end": self.d_backward_end, "d_step_end": self.d_step_end,
                "g_forward_end": self.g_forward_end, "g_backward_end": self.g_backward_end,
                "g_step_end": self.g_step_end}

    def step_start(self, tr) -> None:
        self.cap.step = tr.state.step
        self.g0, self.d0 = parameters_of(tr.G), parameters_of(tr.D)

    def d_forward_end(self, tr) -> None:          # the last of the d_steps D updates wins
        s = tr.state
        self.cap.z, self.cap.fake, self.cap.real = s.z.detach().cpu(), s.fake.detach().cpu(), s.real.detach().cpu()
        self.cap.real_logits, self.cap.fake_logits = s.real_logits.detach().cpu(), s.fake_logits.detach().cpu()
        self.cap.loss_d = s.loss.detach().cpu()
        if self.extent is not None:
            self.cap.manifold = manifold_lines(tr.G)
            self.cap.heat_d_update = self._heat(tr)

    def _heat(self, tr) -> np.ndarray | None:
        return d_grid(tr, self.extent, n=48) if tr.loss.probabilistic else None

    def d_backward_end(self, tr) -> None:
        self.cap.grad_d = layer_grad_norms(tr.D)
        self.cap.g_grad_in_d_update = has_grad(tr.G)

    def d_step_end(self, tr) -> None:
        self.cap.changed["D update"] = {"D": changed(self.d0, tr.D), "G": changed(self.g0, tr.G)}
        self.g1, self.d1 = parameters_of(tr.G), parameters_of(tr.D)

    def g_forward_end(self, tr) -> None:
        s = tr.state
        if s.fake.requires_grad:
            s.fake.retain_grad()                  # to read the push on each fake after backward
        self.cap.fake_logits_g = s.fake_logits.detach().cpu()
        self.cap.loss_g = s.loss.detach().cpu()
        if self.extent is not None:
            self.cap.heat_g_update = self._heat(tr)

    def g_backward_end(self, tr) -> None:
        self.cap.grad_g = layer_grad_norms(tr.G)
        self.cap.d_grad_in_g_update = has_grad(tr.D)
        grad = tr.state.fake.grad
        self.cap.push = None if grad is None else -grad.detach().cpu()

    def g_step_end(self, tr) -> None:
        self.cap.changed["G update"] = {"G": changed(self.g1, tr.G), "D": changed(self.d1, tr.D)}


def catch_step(trainer: Trainer, extent=None) -> Capture:
    """Run ONE training step of ``trainer`` and catch its tensors (see :class:`Capture`). With an
    ``extent`` (xmin, xmax, ymin, ymax), also G's manifold and D's heatmap over it as they were
    during the step. The handlers are removed afterwards, even if the step fails."""
    catcher = _Catcher(extent)
    with trainer.attached(catcher.handlers()):
        trainer.step()
    return catcher.cap


# --------------------------------------------------------------------------- reading a capture
def _shape(t: torch.Tensor) -> str:
    return "[" + ", ".join(str(s) for s in t.shape) + "]"


def describe(name: str, t: torch.Tensor, rows: int = 3) -> str:
    """A few lines about tensor ``t``: shape, dtype, the first values and simple statistics."""
    t = t.detach().float()
    if t.ndim == 0:
        return f"{name} = {t.item():.4f}   (shape [], a single number)"
    big = t.abs().max().item() if t.numel() else 0.0
    sign = "+" if t.numel() and t.min().item() < 0 else ""             # signs only where there are negatives
    fmt = f"{{:{sign}.3f}}" if big >= 0.01 or big == 0 else f"{{:{sign}.2e}}"   # tiny values: scientific notation
    lines = [f"{name}: shape {_shape(t)}, {str(t.dtype).removeprefix('torch.')}"]
    if t.ndim == 1:
        lines.append("first values: " + " ".join(fmt.format(v) for v in t[:6].tolist()) + " ...")
    else:
        lines.append(f"first {min(rows, t.shape[0])} rows:")
        lines += ["  [" + ", ".join(fmt.format(v) for v in r) + "]"
                  for r in t[:rows].reshape(min(rows, t.shape[0]), -1).tolist()]
    lines.append(f"mean {fmt.format(t.mean().item())}, std {fmt.format(t.std().item()).lstrip('+')}, "
                 f"min {fmt.format(t.min().item())}, max {fmt.format(t.max().item())}")
    return "\n".join(lines)


def loss_terms(loss, cap: Capture, real_label: float) -> dict[str, float] | None:
    """For the cross-entropy losses: D's loss split into its real part (-mean log D(x)) and its
    fake part (-mean log(1 - D(G(z)))); None for the other losses."""
    if loss.name not in ("minimax", "non_saturating"):
        return None
    f = torch.nn.functional
    real = f.binary_cross_entropy_with_logits(cap.real_logits, torch.full_like(cap.real_logits, real_label)).item()
    fake = f.binary_cross_entropy_with_logits(cap.fake_logits, torch.zeros_like(cap.fake_logits)).item()
    return {"real": real, "fake": fake}


def guessing_losses(loss, real_label: float) -> dict[str, float] | None:
    """What each bar of the explorer's loss panel would read if D only guessed -- logit 0, D = 0.5 for
    every sample -- computed with the trainer's own loss: ``{"real", "fake", "loss_d", "loss_g"}``
    (log 2, log 2, 2 log 2 and, for the non-saturating G loss, log 2). None for losses without the
    cross-entropy split (see :func:`loss_terms`)."""
    zero = torch.zeros(1)
    cap = Capture(real_logits=zero, fake_logits=zero)
    terms = loss_terms(loss, cap, real_label)
    if terms is None:
        return None
    return {**terms, "loss_d": loss.d_loss(zero, zero, real_label).item(), "loss_g": loss.g_loss(zero).item()}


# --------------------------------------------------------------------------- lesson 00's experiment
def distance_to_modes(points: torch.Tensor, data) -> float:
    """Mean distance from each point to the nearest centre of a Gaussian-mixture ``data``."""
    return torch.cdist(torch.as_tensor(points, dtype=torch.float32), data.centers).min(dim=1).values.mean().item()


class Moment(NamedTuple):
    """G at one step of :func:`compare_before_after`: its samples for the fixed noise [n, 2], its
    z-grid (:func:`~gan_edu.lessons.plane.manifold_lines`) and their mean distance to the blobs."""

    step: int
    fake: np.ndarray
    manifold: list
    distance: float


@dataclass
class Comparison:
    """What :func:`compare_before_after` found: the mean distance from G's samples (same z) to the
    nearest real blob before and after, and the outcome key ``"closer"``, ``"same"`` or ``"farther"``.
    ``moments`` and ``real`` are what the picture shows; ``figure`` is that picture when the
    comparison came from :func:`gan_edu.widgets.explorer.train_and_compare`."""

    steps: tuple[int, int]
    before: float
    after: float
    outcome: str
    moments: tuple = ()
    real: np.ndarray | None = None
    figure: object = None

    def __str__(self) -> str:
        return (f"mean distance from G(z) to the nearest real blob: {self.before:.2f} at step {self.steps[0]}"
                f" -> {self.after:.2f} at step {self.steps[1]}")


def compare_before_after(trainer: Trainer, steps: int = 200, n: int = 500, tolerance: float = 0.2) -> Comparison:
    """Train ``steps`` steps and compare G's samples (for the same ``n`` noise vectors) with the
    real data before and after. The outcome is ``"closer"`` when the mean distance to the nearest
    real blob shrank by more than ``tolerance`` (a fraction), ``"farther"`` when it grew by more,
    else ``"same"``."""
    if not isinstance(trainer, Trainer):
        raise TypeError(f"trainer must be a gan_edu Trainer, got {type(trainer).__name__}")
    if getattr(trainer.data, "centers", None) is None or tuple(trainer.data.shape) != (2,):
        raise ValueError("train_and_compare needs 2D Gaussian-mixture data such as ge.data.ring()")
    steps = _check.positive_int("steps", steps)
    n = _check.positive_int("n", n)
    tolerance = _check.number("tolerance", tolerance, minimum=0.0, maximum=1.0)
    z = trainer.G.sample_noise(n, generator=torch.Generator().manual_seed(1234)).cpu()
    real = fixed_sample(trainer.data, n, 1)
    moments = []
    for i in range(2):
        if i:
            trainer.run(steps, progress=False)     # no bar: this often runs inside a reveal, whose output waits
        fake = trainer.sample(n, z=z)
        moments.append(Moment(trainer.state.step, fake.numpy(), manifold_lines(trainer.G),
                              distance_to_modes(fake, trainer.data)))
    before, after = moments[0].distance, moments[1].distance
    outcome = "closer" if after < (1 - tolerance) * before else "farther" if after > (1 + tolerance) * before else "same"
    return Comparison((moments[0].step, moments[1].step), before, after, outcome, tuple(moments), real)



def explorer_start(seed: int = 0) -> Trainer:
    """A new tiny GAN in the state the lesson-00 explorer starts in: :func:`~gan_edu.lessons.factory.tiny_gan`
    with ``seed`` after its first training step (``ArchitectureExplorer()`` takes that step at once).
    Lesson 00's prediction trains this one, never the explorer's trainer: whatever the learner clicked,
    the experiment starts from the same weights and the same random stream."""
    trainer = tiny_gan(seed)
    trainer.step()
    return trainer
