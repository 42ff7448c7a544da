r"""Lesson 02's measurements: how good is D, and what does G learn through it?

D returns a **logit** :math:`\ell`; :math:`\sigma(\ell) = 1/(1+e^{-\ell})` is its probability
that a sample is *real*. D is trained with binary cross-entropy, real labelled 1 and fake 0:

.. math::  L_D = -E_x[\log \sigma(\ell_r)] - E_z[\log(1 - \sigma(\ell_f))] = -V(D, G)

so D *maximising* the minimax value :math:`V(D, G)` is D *minimising* its BCE.

* :func:`bce_by_hand` -- the BCE of a few logits, written out;
* :func:`score_d` -- accuracy, BCE and probabilities on held-out real and fake samples;
* :func:`train_d_only` / :func:`first_reaching` -- D updates against a frozen G, and when D
  first reaches a given accuracy;
* :func:`g_signal` / :func:`compare_g_signal` / :func:`format_signal_table` -- how big, and
  how consistent, G's gradient is through a given D, for the minimax or the non-saturating loss;
* :func:`with_discriminator` -- the same frozen G facing another D;
* :func:`lesson_trainer` / :func:`held_out` -- the lesson's seeded set-up and its fixed
  held-out samples (the widget and the prediction's experiment both start from them);
* :func:`keep_training` -- the prediction's experiment: D trains alone from that fixed start;
  after its accuracy first reaches 99 %, what does its loss do?
* :func:`check_claims` -- the lesson's claims about a run, printed and enforced.

The widget that shows all this as you click is :class:`gan_edu.widgets.discriminator.DTrainer`.
"""
from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .. import _check
from .. import data as data_mod
from .. import losses as losses_mod
from ..models import eval_mode
from .factory import tiny_gan

__all__ = ["DScore", "GSignal", "bce_by_hand", "score_d", "train_d_only", "first_reaching",
           "g_signal", "compare_g_signal", "format_signal_table", "with_discriminator", "lesson_trainer",
           "held_out", "KeepTraining", "keep_training", "check_claims"]

_BCE_LOSSES = _check.CROSS_ENTROPY_LOSSES


def bce_by_hand(logits: Sequence[float], labels: Sequence[float]) -> float:
    r"""Mean binary cross-entropy computed with plain Python floats, term by term:

    .. math::  -\frac1N \sum_i \big[y_i \log \sigma(\ell_i) + (1 - y_i) \log(1 - \sigma(\ell_i))\big]

    A real sample (``y = 1``) costs :math:`-\log \sigma(\ell)`, a fake (``y = 0``) costs
    :math:`-\log(1 - \sigma(\ell))`. Meant for a handful of numbers, to check against
    ``torch.nn.functional.binary_cross_entropy_with_logits``."""
    logits, labels = list(logits), list(labels)
    if not logits or len(logits) != len(labels):
        raise ValueError(f"logits and labels must be two non-empty lists of the same length, got {len(logits)} and {len(labels)}")
    total = 0.0
    for i, (ell, y) in enumerate(zip(logits, labels)):
        ell = _check.number(f"logits[{i}]", float(ell))
        y = _check.number(f"labels[{i}]", float(y), minimum=0.0, maximum=1.0)
        p = 1.0 / (1.0 + math.exp(-ell))                     # sigmoid: D's probability of "real"
        total += -(y * math.log(p) + (1 - y) * math.log(1 - p))
    return total / len(logits)


class DScore(NamedTuple):
    """How D does on held-out samples (``acc_real``: share of real with logit > 0, ``acc_fake``:
    share of fakes with logit < 0, ``accuracy`` their mean; ``bce`` = BCE on real + BCE on fake,
    the trainer's D loss; ``p_real``, ``p_fake``: D's probabilities)."""

    accuracy: float
    acc_real: float
    acc_fake: float
    bce: float
    p_real: np.ndarray
    p_fake: np.ndarray


def _discriminator(trainer_or_d) -> nn.Module:
    if isinstance(trainer_or_d, nn.Module):
        return trainer_or_d
    D = getattr(trainer_or_d, "D", None)
    if not isinstance(D, nn.Module):
        raise TypeError(f"trainer_or_d must be a gan_edu Trainer or a discriminator (torch.nn.Module), "
                        f"got {type(trainer_or_d).__name__}")
    if getattr(trainer_or_d, "pack", 1) != 1:
        raise ValueError(f"lesson 02's measurements take one sample per logit; this trainer has pack={trainer_or_d.pack}")
    return D


def _batch(name: str, x) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        try:
            x = torch.as_tensor(np.asarray(x, dtype=np.float32))
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a tensor or array of samples, got {type(x).__name__}") from None
    if x.ndim < 2 or x.shape[0] == 0:
        raise ValueError(f"{name} must be a batch of samples [N, ...] with N >= 1, got shape {tuple(x.shape)}")
    return x.float()


@torch.no_grad()
def score_d(trainer_or_d, real, fake) -> DScore:
    """Accuracy, BCE and probabilities of D (eval mode) on fixed ``real`` and ``fake`` batches."""
    D = _discriminator(trainer_or_d)
    real, fake = _batch("real", real), _batch("fake", fake)
    device = next(D.parameters()).device
    with eval_mode(D):
        lr, lf = D(real.to(device)).cpu(), D(fake.to(device)).cpu()
    acc_r, acc_f = (lr > 0).float().mean().item(), (lf < 0).float().mean().item()
    bce = losses_mod.bce_d_loss(lr, lf).item()
    return DScore(0.5 * (acc_r + acc_f), acc_r, acc_f, bce, torch.sigmoid(lr).numpy(), torch.sigmoid(lf).numpy())


def _check_trainer(trainer) -> None:
    _check.cross_entropy_trainer(trainer, "lesson 02 trains D with binary cross-entropy")


def train_d_only(trainer, n: int, real, fake) -> dict[str, np.ndarray]:
    """Run ``n`` discriminator updates (``trainer.step_d()``; G does not move) and score D on
    the fixed held-out ``real`` and ``fake`` batches before the first and after every update.
    Returns arrays ``updates`` (0..n), ``accuracy``, ``bce``, ``d_real`` and ``d_fake`` (mean probabilities)."""
    _check_trainer(trainer)
    n = _check.positive_int("n", n)
    real, fake = _batch("real", real), _batch("fake", fake)
    rows = [score_d(trainer, real, fake)]
    for _ in range(n):
        trainer.step_d()
        rows.append(score_d(trainer, real, fake))
    return {"updates": np.arange(n + 1), "accuracy": np.array([r.accuracy for r in rows]),
            "bce": np.array([r.bce for r in rows]), "d_real": np.array([r.p_real.mean() for r in rows]),
            "d_fake": np.array([r.p_fake.mean() for r in rows])}


def first_reaching(accuracy, level: float = 0.99) -> int | None:
    """The first index (D update) at which ``accuracy`` reaches ``level``, or None if it never does."""
    level = _check.number("level", level, minimum=0.0, maximum=1.0)
    acc = np.asarray(accuracy, dtype=float)
    if acc.ndim != 1:
        raise ValueError(f"accuracy must be a 1D sequence, got shape {acc.shape}")
    hits = np.flatnonzero(acc >= level)
    return int(hits[0]) if hits.size else None


class GSignal(NamedTuple):
    """What G would learn from D right now (nothing is changed to measure it).

    ``d_fake``: mean D(G(z)). ``logit_grad``: mean over samples of the size of
    d(loss of one sample)/d(its logit) -- exactly D(G(z)) for minimax, 1 - D(G(z)) for
    non-saturating. ``sample_grad``: mean size of d(loss of one sample)/d G(z), the arrow on
    each fake. ``param_grad``: the norm of the gradient of G's batch loss w.r.t. all of G's
    parameters (what the optimiser receives). ``agreement``: mean cosine similarity between
    the parameter gradients of disjoint sub-batches (1: every batch pushes G the same way;
    near 0: the direction is mostly noise). ``top_share``: the share of the summed per-logit
    gradient carried by the 5 % of fakes with the largest one (0.05: every fake counts the
    same; near 1: a few fakes decide G's step)."""

    d_fake: float
    logit_grad: float
    sample_grad: float
    param_grad: float
    agreement: float
    top_share: float


def g_signal(trainer, z: torch.Tensor, loss="minimax", n_batches: int = 8) -> GSignal:
    """Measure G's learning signal through the trainer's D for noise ``z`` [N, latent_dim] and
    G's ``loss`` (``"minimax"``: minimise E log(1 - D(G(z))); ``"non_saturating"``: minimise
    -E log D(G(z))). Both networks in eval mode; no ``.grad`` is left behind."""
    G, D = trainer.G, _discriminator(trainer)
    loss = losses_mod.get(loss)
    _check.one_of("loss", loss.name, _BCE_LOSSES)
    n_batches = _check.integer("n_batches", n_batches, minimum=2)
    z = _batch("z", z)
    if z.shape[0] < 2 * n_batches:
        raise ValueError(f"z must hold at least 2 * n_batches = {2 * n_batches} noise vectors, got {z.shape[0]}")
    params = [p for p in G.parameters() if p.requires_grad]
    device = next(G.parameters()).device
    with eval_mode(G, D):
        fake = G(z.to(device))
        logits = D(fake)
        per_sample = loss.g_loss(logits) * len(logits)            # sum of per-sample losses (g_loss is a mean)
        g_logit, g_x = torch.autograd.grad(per_sample, [logits, fake], retain_graph=True)
        g_theta = torch.autograd.grad(loss.g_loss(logits), params)
        flat = torch.cat([g.reshape(-1) for g in g_theta])
        agreement = _agreement(G, D, loss, z.to(device), params, n_batches)
    weight = g_logit.abs().sort(descending=True).values
    top = weight[: max(1, math.ceil(0.05 * len(weight)))].sum() / weight.sum().clamp_min(1e-30)
    return GSignal(torch.sigmoid(logits.detach()).mean().item(), g_logit.abs().mean().item(),
                   g_x.reshape(g_x.shape[0], -1).norm(dim=1).mean().item(), flat.norm().item(), agreement, top.item())


def _agreement(G, D, loss, z: torch.Tensor, params, n_batches: int) -> float:
    """Mean cosine similarity between G's parameter gradients on ``n_batches`` disjoint parts of ``z``."""
    chunks = []
    for idx in torch.arange(z.shape[0]).chunk(n_batches):
        gb = torch.autograd.grad(loss.g_loss(D(G(z[idx]))), params)
        chunks.append(torch.cat([g.reshape(-1) for g in gb]))
    S = torch.stack(chunks)                                           # [n_batches, parameters]
    cos = F.cosine_similarity(S.unsqueeze(0), S.unsqueeze(1), dim=-1)
    off = ~torch.eye(len(chunks), dtype=torch.bool)
    return cos[off].mean().item()


def compare_g_signal(trainers: Mapping, z: torch.Tensor, losses=_BCE_LOSSES, n_batches: int = 8) -> dict:
    """:func:`g_signal` for each trainer (``{label: trainer}``) and each G loss:
    ``{loss_name: {label: GSignal}}``."""
    if not isinstance(trainers, Mapping) or not trainers:
        raise ValueError("trainers must be a non-empty dict {label: trainer}")
    if isinstance(losses, str):
        losses = (losses,)
    return {losses_mod.get(name).name: {label: g_signal(t, z, name, n_batches) for label, t in trainers.items()}
            for name in losses}


def format_signal_table(signals: Mapping, scores: Mapping | None = None) -> str:
    """A plain-text table of :func:`compare_g_signal`'s result (and D's accuracy from ``scores``,
    ``{label: DScore}``, if given), under 90 characters wide so a notebook never wraps it. Columns
    as in :class:`GSignal`: dL/dlogit is ``logit_grad``, dL/dG(z) ``sample_grad``, |grad G|
    ``param_grad``, agree ``agreement``, top 5% ``top_share``."""
    if not isinstance(signals, Mapping) or not signals:
        raise ValueError("signals must be the dict returned by compare_g_signal")
    head = (f"{'G loss':<15}{'D':<9}{'D acc':>7}{'D(G(z))':>9}{'dL/dlogit':>10}{'dL/dG(z)':>10}{'|grad G|':>10}"
            f"{'agree':>7}{'top 5%':>8}")
    lines = [head, "-" * len(head)]
    for loss_name, row in signals.items():
        for label, s in row.items():
            acc = f"{scores[label].accuracy:>7.1%}" if scores and label in scores else f"{'':>7}"
            lines.append(f"{loss_name.replace('_', '-'):<15}{label:<9}{acc}{s.d_fake:>9.2g}{s.logit_grad:>10.3g}"
                         f"{s.sample_grad:>10.3g}{s.param_grad:>10.3g}{s.agreement:>7.2f}{s.top_share:>8.0%}")
    return "\n".join(lines)


def with_discriminator(trainer, D: nn.Module, **overrides):
    """A new Trainer with a deep copy of ``trainer``'s G (same weights), the same data and
    settings, and the given discriminator ``D``: for comparing discriminators against one
    frozen generator. ``overrides`` change settings (e.g. ``lr_d=1e-4``)."""
    from ..trainer import Trainer

    if not isinstance(D, nn.Module):
        raise TypeError(f"D must be a torch.nn.Module (e.g. gan_edu.models.MLPDiscriminator), got {type(D).__name__}")
    cfg = trainer.config()
    cfg.update(overrides)
    return Trainer(copy.deepcopy(trainer.G), D, trainer.data, device=trainer.device, **cfg)


# --------------------------------------------------------------------------- the lesson's set-up
def lesson_trainer(seed: int = 0):
    """Lesson 02's players, the same for a given ``seed`` every time (built by
    :func:`gan_edu.lessons.factory.tiny_gan`): the ring of 8 Gaussians, an untrained MLP generator
    (it stays frozen all lesson) and an untrained MLP discriminator, 64 units wide with two hidden
    layers each; D is trained with Adam (learning rate 1e-3) on batches of 128."""
    return tiny_gan(seed, data_mod.ring(), hidden=64, depth=2, batch_size=128)


def held_out(trainer, n: int = 500, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """``(real, z)``: ``n`` real samples and ``n`` noise vectors for G, drawn from a random stream
    of their own seeded by ``seed``: the same every time, and the trainer's stream is untouched.
    D is scored on ``real`` and on G's samples for ``z`` (G is frozen, so they do not move)."""
    n = _check.positive_int("n", n)
    gen = torch.Generator().manual_seed(_check.integer("seed", seed, minimum=0))
    return trainer.data.sample(n, generator=gen), trainer.G.sample_noise(n, generator=gen)


def check_claims(claims: Mapping[str, bool]) -> str:
    """The lesson's claims about a run, one per line ("claim: True"); raises AssertionError naming
    every claim that does not hold (so a test run of the notebook fails, and a learner is told)."""
    failed = [text for text, holds in claims.items() if not holds]
    if failed:
        raise AssertionError("this run does not show what the lesson claims: " + "; ".join(failed))
    return "\n".join(f"{text}: True" for text in claims)


# --------------------------------------------------------------------------- the prediction: keep training D
@dataclass
class KeepTraining:
    """What :func:`keep_training` measured: D trained alone against the frozen G.

    ``history`` is :func:`train_d_only`'s (scores on the held-out samples before the first and
    after every update); ``first`` the first update with accuracy >= ``level`` (None: never);
    ``gaps`` D(x) at the points of the ring halfway between neighbouring real modes, where there
    is no data, after the last update. ``trainer`` is the run's own trainer, ``real`` and ``fake``
    the held-out samples (for the picture)."""

    history: dict[str, np.ndarray]
    level: float
    first: int | None
    gaps: np.ndarray
    trainer: object
    real: torch.Tensor
    fake: torch.Tensor

    @property
    def drop(self) -> float:
        """D's held-out BCE after the last update divided by its BCE when it first reached ``level``."""
        if self.first is None:
            raise ValueError(f"D never reached {_percent(self.level)} accuracy in this run")
        return float(self.history["bce"][-1] / self.history["bce"][self.first])

    @property
    def outcome(self) -> str:
        """The prediction's outcome: ``"falls"`` (the BCE fell below half its value at the moment
        D first reached ``level``), ``"rises"`` (it ended more than 10 % above), else ``"flat"``."""
        return "falls" if self.drop < 0.5 else "rises" if self.drop > 1.1 else "flat"

    @property
    def claims(self) -> dict[str, bool]:
        """The lesson's other claims about this run (each True if it holds)."""
        h, first, n = self.history, self.first, len(self.history["bce"]) - 1
        sureness = np.abs(h["d_real"] - 0.5) + np.abs(h["d_fake"] - 0.5)     # 0: says 0.5 to all, 1: certain
        return {
            f"D reached {_percent(self.level)} accuracy within {n} update{'s' if n != 1 else ''}": first is not None,
            "when it did, its mean probabilities were nearer 0.5 than at the end":
                first is not None and bool(sureness[first] < sureness[-1]),
            "D says 'real' (D(x) > 0.5) at every gap between the real modes": bool((self.gaps > 0.5).all()),
        }

    def report(self) -> str:
        """What the run showed, in a few lines (the last ones: the checked claims)."""
        h, i = self.history, self.first
        n = len(h["bce"]) - 1
        lines = []
        if i is not None:
            lines += [f"D first reached {_percent(self.level)} accuracy after {i} D update{'s' if i != 1 else ''}.",
                      f"  its BCE then: {h['bce'][i]:.3f}   (mean D(real) {h['d_real'][i]:.2f}, "
                      f"mean D(fake) {h['d_fake'][i]:.2f})",
                      f"  after {n} updates: {h['bce'][-1]:.3f}   (mean D(real) {h['d_real'][-1]:.2f}, "
                      f"mean D(fake) {h['d_fake'][-1]:.2f}): {1 / self.drop:.0f}x lower"]
        lines += [f"D(x) in the empty gaps of the ring, halfway between real modes: "
                  f"{self.gaps.min():.2f} to {self.gaps.max():.2f}", "", check_claims(self.claims)]
        return "\n".join(lines)


def _percent(share: float) -> str:
    return f"{100 * share:g} %"


def _ring_gaps(data) -> torch.Tensor:
    """The points halfway (in angle) between neighbouring modes of a ring of Gaussians, on the
    ring's circle: where a ring has no data. [n_modes, 2]."""
    centers = getattr(data, "centers", None)
    if centers is None or centers.ndim != 2 or centers.shape[1] != 2 or centers.shape[0] < 2:
        raise ValueError(f"data must be a ring of Gaussians in 2D (e.g. ge.data.ring()), got {data!r}")
    angles = torch.atan2(centers[:, 1], centers[:, 0]).sort().values.double()
    nxt = torch.cat([angles[1:], angles[:1] + 2 * math.pi])
    mid, radius = (angles + nxt) / 2, centers.norm(dim=1).mean().double()
    return (radius * torch.stack([mid.cos(), mid.sin()], 1)).float()


def keep_training(seed: int = 0, updates: int = 200, level: float = 0.99, n_eval: int = 500) -> KeepTraining:
    """Lesson 02's prediction, from its own fixed start every time: :func:`lesson_trainer` with
    ``seed`` (never a trainer the learner has clicked on), D trained alone for ``updates`` D
    updates and scored after each on :func:`held_out` samples (``n_eval`` real, ``n_eval`` fake).
    Returns a :class:`KeepTraining` (``.outcome``: what D's loss did after D first reached ``level``)."""
    updates = _check.positive_int("updates", updates)
    level = _check.number("level", level, minimum=0.5, maximum=1.0)
    tr = lesson_trainer(seed)
    real, z = held_out(tr, n_eval)
    fake = tr.sample(n_eval, z=z)
    history = train_d_only(tr, updates, real, fake)
    gaps = tr.d_prob(_ring_gaps(tr.data)).numpy()
    return KeepTraining(history, level, first_reaching(history["accuracy"], level), gaps, tr, real, fake)
