"""Opt-in recorders: handlers that keep what the lessons plot.

The trainer itself always records ``loss_d``, ``loss_g``, ``d_real`` and
``d_fake`` (mean D probabilities) in ``trainer.history``; these add more:

* :class:`DAccuracy` -- how often D is right (real logit > 0, fake logit < 0);
* :class:`GradNorms` -- per-layer gradient norms of D and G, read at
  ``d_backward_end`` / ``g_backward_end`` (before the optimiser step);
* :class:`GeneratorArrows` -- for each fake sample, the direction the G step
  pushes it in data space: minus the gradient of G's loss w.r.t. G(z).

Each has ``attach(trainer)`` / ``detach()`` and keeps its latest values as
attributes; :func:`standard` attaches all three.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from .models import eval_mode

__all__ = ["Recorder", "DAccuracy", "GradNorms", "GeneratorArrows", "standard", "layer_grad_norms", "fake_gradients"]


class Recorder:
    """Base: ``hooks`` maps event -> method name; ``attach`` registers them on a trainer."""

    hooks: dict[str, str] = {}

    def __init__(self):
        self.trainer = None
        self._bound = []

    def attach(self, trainer) -> Recorder:
        if self.trainer is not None:
            raise ValueError(f"this {type(self).__name__} is already attached to a trainer; make a new one")
        self.trainer = trainer
        for event, method in self.hooks.items():
            fn = getattr(self, method)
            trainer.on(event, fn)
            self._bound.append((event, fn))
        return self

    def detach(self) -> None:
        for event, fn in self._bound:
            self.trainer.off(event, fn)
        self._bound, self.trainer = [], None


class DAccuracy(Recorder):
    """D's accuracy on the last batch: share of real samples with logit > 0 and of fakes with
    logit < 0, averaged. Near 100 % for long means G gets little useful signal.
    Records ``d_acc`` (and ``d_acc_real``, ``d_acc_fake``) at each step's end."""

    hooks = {"d_forward_end": "_measure", "step_end": "_record"}

    def __init__(self):
        super().__init__()
        self.acc = self.acc_real = self.acc_fake = math.nan

    def _measure(self, tr) -> None:
        s = tr.state
        r = (s.real_logits.detach() > 0).float().mean()
        f = (s.fake_logits.detach() < 0).float().mean()
        self.acc_real, self.acc_fake = torch.stack([r, f]).tolist()
        self.acc = 0.5 * (self.acc_real + self.acc_fake)

    def _record(self, tr) -> None:
        tr.history.record(tr.state.step, d_acc=self.acc, d_acc_real=self.acc_real, d_acc_fake=self.acc_fake)


def layer_grad_norms(net: nn.Module) -> dict[str, float]:
    """L2 norm of the gradient of each layer's parameters (weight and bias together),
    keyed by layer name (``"linear1"``, ``"out"``...). Layers with no gradient are left out."""
    names, grads = [], []
    for name, p in net.named_parameters():
        if p.grad is not None:
            layer = name.removeprefix("net.").split(".")[0]
            names.append(layer)
            grads.append(p.grad.detach())
    if not grads:
        return {}
    sq = torch.stack([g.pow(2).sum() for g in grads]).tolist()
    out: dict[str, float] = {}
    for layer, v in zip(names, sq):
        out[layer] = out.get(layer, 0.0) + v
    return {k: math.sqrt(v) for k, v in out.items()}


class GradNorms(Recorder):
    """Per-layer gradient norms: ``.d`` after each D backward, ``.g`` after each G backward
    (dicts layer -> norm). History keys: ``grad_d/<layer>`` and ``grad_g/<layer>``."""

    hooks = {"d_backward_end": "_on_d", "g_backward_end": "_on_g", "step_end": "_record"}

    def __init__(self):
        super().__init__()
        self.d: dict[str, float] = {}
        self.g: dict[str, float] = {}

    def _on_d(self, tr) -> None:
        self.d = layer_grad_norms(tr.D)

    def _on_g(self, tr) -> None:
        self.g = layer_grad_norms(tr.G)

    def _record(self, tr) -> None:
        values = {f"grad_d/{k}": v for k, v in self.d.items()}
        values.update({f"grad_g/{k}": v for k, v in self.g.items()})
        tr.history.record(tr.state.step, **values)


class GeneratorArrows(Recorder):
    """For the fake batch of each G update: ``points`` = G(z) [B, d] and ``arrows`` =
    -d(loss_g)/d G(z) [B, d], the way each sample is pushed (GAN Lab's gradient arrows).
    The sizes carry the 1/B of the batch mean; plots rescale them."""

    hooks = {"g_forward_end": "_keep", "g_backward_end": "_read"}

    def __init__(self):
        super().__init__()
        self.points: torch.Tensor | None = None
        self.arrows: torch.Tensor | None = None

    def _keep(self, tr) -> None:
        if tr.state.fake.requires_grad:
            tr.state.fake.retain_grad()

    def _read(self, tr) -> None:
        fake = tr.state.fake
        self.points = fake.detach().cpu()
        self.arrows = None if fake.grad is None else -fake.grad.detach().cpu()


def standard(trainer) -> tuple[DAccuracy, GradNorms, GeneratorArrows]:
    """Attach the three standard recorders to ``trainer`` and return them."""
    return DAccuracy().attach(trainer), GradNorms().attach(trainer), GeneratorArrows().attach(trainer)


def fake_gradients(trainer, n: int = 200, z: torch.Tensor | None = None):
    """Arrows without training: for ``n`` fresh fake samples, ``(points, -d loss_g / d G(z))``,
    the push the next G step would give each of them through the current D. Changes nothing."""
    G, D = trainer.G, trainer.D
    if z is None:
        z = G.sample_noise(n, generator=torch.Generator().manual_seed(trainer.state.step))
    with eval_mode(G, D):                   # eval: a BatchNorm's running statistics are not touched
        with torch.no_grad():
            fake = G(z.to(trainer.device))
        fake.requires_grad_(True)
        loss = trainer.loss.g_loss(D(trainer.packed(fake)))
        grad, = torch.autograd.grad(loss, fake)
    return fake.detach().cpu(), -grad.cpu()
