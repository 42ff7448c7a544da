r"""Where the learning signal goes: gradients in the D step and in the G step.

One training step is two updates that pull in opposite directions on the same
value function (Goodfellow et al. 2014, eq. 1):

.. math::  \min_G \max_D \; V(D, G) = E_x[\log D(x)] + E_z[\log(1 - D(G(z)))]

* **D step** -- D climbs V. The fake batch is *detached*: the gradient stops at
  :math:`G(z)`, so G's parameters get no gradient and do not move.
* **G step** -- G descends its loss. The gradient flows from the loss back
  *through* D into G; D is frozen (its parameters get no ``.grad``) and does not move.

G never sees a real sample: its loss is a function of :math:`z`, G's parameters
and D's parameters only, so everything G learns about the data reaches it
through D. This module measures that:

* :func:`lesson_gan` -- the lesson's small GAN, rebuilt from its seed (the same every time);
* :func:`trace_step` -- one full step traced with the trainer's events: which
  network got a gradient, which one changed, per-layer gradient norms;
* :func:`loss_g_leaves` -- the leaves of the autograd graph of G's loss;
* :func:`real_batch_effect` -- the real batch changes G's gradient only through D's update;
* :func:`uphill_fraction` -- G's arrows point up the D(x) hill;
* :func:`saturation_curves` -- each generator loss's gradient w.r.t. the logit, by autograd;
* :func:`stall_experiment` -- a confident D stalls the saturating (minimax) loss.
"""
from __future__ import annotations

import copy
import html
import math
import textwrap
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from .. import _check
from .. import data as data_mod
from .. import losses as losses_mod
from ..recorders import layer_grad_norms
from .factory import tiny_gan
from .scoring import check_claims, g_signal

__all__ = ["has_grad", "parameters_of", "changed", "lesson_gan", "TraceRow", "StepTrace", "trace_step", "GraphLeaves",
           "loss_g_leaves", "real_batch_effect", "uphill_fraction", "SaturationCurves", "generator_logit_gradient",
           "saturation_curves", "StallResult", "stall_experiment"]

NETWORKS = ("D", "G")


def _check_trainer(trainer) -> None:
    from ..trainer import Trainer

    if not isinstance(trainer, Trainer):
        raise TypeError(f"trainer must be a gan_edu.Trainer, got {type(trainer).__name__}")


# --------------------------------------------------------------------------- did a network learn?
def has_grad(net: nn.Module) -> bool:
    """True if any parameter of ``net`` holds a non-zero ``.grad``."""
    return any(p.grad is not None and bool(p.grad.ne(0).any()) for p in net.parameters())


def parameters_of(net: nn.Module) -> list[torch.Tensor]:
    """A copy of ``net``'s parameters, to compare with later (:func:`changed`)."""
    return [p.detach().clone() for p in net.parameters()]


def changed(before: list[torch.Tensor], net: nn.Module) -> bool:
    """True if any parameter of ``net`` differs from its copy in ``before`` (from :func:`parameters_of`)."""
    return any(not torch.equal(b, p.detach()) for b, p in zip(before, net.parameters()))


# --------------------------------------------------------------------------- the lesson's GAN
def lesson_gan(seed: int = 0, steps: int = 0):
    """Lesson 03's small GAN on the ring of 8 Gaussians (networks 64 wide, the non-saturating loss,
    the Trainer's defaults otherwise), built by :func:`gan_edu.lessons.factory.tiny_gan` and trained
    ``steps`` steps without a progress bar: the same networks and the same course of training for
    a given ``seed`` every time. A prediction's experiment rebuilds it instead of touching the
    trainer the learner has been clicking on."""
    steps = _check.integer("steps", steps, minimum=0)
    tr = tiny_gan(seed, data_mod.ring(), hidden=64, loss="non_saturating")
    if steps:
        tr.run(steps, progress=False)
    return tr


# --------------------------------------------------------------------------- tracing one step
@dataclass
class TraceRow:
    """One network in one phase of a step."""

    phase: str          #: "D step" or "G step" ("D step 2"... with several D updates)
    network: str        #: "D" or "G"
    got_grad: bool      #: a parameter held a non-zero .grad at the phase's *_backward_end event
    changed: bool       #: a parameter differed at *_step_end from its value at *_forward_end
    norms: dict[str, float] = field(default_factory=dict)   #: per-layer gradient norms at *_backward_end


@dataclass
class StepTrace:
    """What :func:`trace_step` saw. ``rows`` in the order the phases ran, D then G in each."""

    rows: list[TraceRow]
    step: int

    def row(self, phase: str, network: str) -> TraceRow:
        for r in self.rows:
            if r.phase == phase and r.network == network:
                return r
        phases = sorted({r.phase for r in self.rows})
        raise ValueError(f"no row for phase {phase!r} and network {network!r}; phases are {phases}, networks D and G")

    def got_grad(self, phase: str, network: str) -> bool:
        """Did ``network`` ("D"/"G") hold a gradient after the backward pass of ``phase``?"""
        return self.row(phase, network).got_grad

    def changed(self, phase: str, network: str) -> bool:
        """Did ``network``'s parameters change during ``phase``?"""
        return self.row(phase, network).changed

    @property
    def grad_norms(self) -> dict[str, dict[str, dict[str, float]]]:
        """``{phase: {network: {layer: norm}}}`` (empty dict = no gradient)."""
        out: dict[str, dict[str, dict[str, float]]] = {}
        for r in self.rows:
            out.setdefault(r.phase, {})[r.network] = dict(r.norms)
        return out

    @property
    def claims(self) -> dict[str, bool]:
        """Lesson 03's claims about a step (each True if it held): every network got a gradient and
        changed in its own phase, and D got none and stayed put in G's phase."""
        own = [r for r in self.rows if r.phase.startswith(r.network)]
        return {"each network got a gradient and changed in its own phase": all(r.got_grad and r.changed for r in own),
                "D got no gradient and did not change in the G step":
                    not self.got_grad("G step", "D") and not self.changed("G step", "D")}

    def table(self) -> str:
        lines = [f"{'phase':<9} {'network':<8} {'got a gradient':<15} {'changed':<8}"]
        for r in self.rows:
            lines.append(f"{r.phase:<9} {r.network:<8} {'yes' if r.got_grad else 'no':<15} {'yes' if r.changed else 'no':<8}")
        return "\n".join(lines)

    def report(self) -> str:
        """The table, then the lesson's checked claims (raises AssertionError if one does not hold)."""
        return f"{self.table()}\n\n{check_claims(self.claims)}"

    def __str__(self) -> str:
        return self.table()

    def _repr_html_(self) -> str:
        def cell(flag: bool) -> str:
            colour, text = ("#1a7f37", "✔ yes") if flag else ("#b42318", "✘ no")
            return f"<td style='color:{colour};text-align:center'>{text}</td>"

        rows = "".join(f"<tr><td>{html.escape(r.phase)}</td><td style='text-align:center'><b>{r.network}</b></td>"
                       f"{cell(r.got_grad)}{cell(r.changed)}</tr>" for r in self.rows)
        return ("<table class='ge-trace'><thead><tr><th>phase</th><th>network</th>"
                "<th>got a gradient<br><small>(at *_backward_end)</small></th>"
                "<th>parameters changed<br><small>(at *_step_end)</small></th></tr></thead>"
                f"<tbody>{rows}</tbody></table>")

    def __repr__(self) -> str:
        return f"<StepTrace of step {self.step}>\n{self.table()}"


def trace_step(trainer) -> StepTrace:
    """Run ONE training step of ``trainer`` and record, for each phase and each network,
    whether its parameters received a gradient (at ``d_backward_end`` / ``g_backward_end``),
    the per-layer gradient norms there, and whether its parameters changed by the end of
    the phase (``d_step_end`` / ``g_step_end``). The step is a normal training step: the
    trainer advances by one. Handlers are removed afterwards, even if the step fails."""
    _check_trainer(trainer)
    tr = trainer
    rows: list[TraceRow] = []
    before: dict[str, list[torch.Tensor]] = {}
    pending: dict[str, dict] = {}

    def phase_name(kind: str) -> str:
        if kind == "G" or tr.d_steps == 1:
            return f"{kind} step"
        return f"D step {tr.state.d_iter + 1}"

    def on_forward(t):
        before.update(D=parameters_of(t.D), G=parameters_of(t.G))

    def on_backward(kind):
        def handler(t):
            pending.clear()
            for net_name in NETWORKS:
                net = t.D if net_name == "D" else t.G
                pending[net_name] = {"got_grad": has_grad(net), "norms": layer_grad_norms(net)}
        return handler

    def on_step_end(kind):
        def handler(t):
            phase = phase_name(kind)
            order = ("D", "G") if kind == "D" else ("G", "D")
            for net_name in order:
                net = t.D if net_name == "D" else t.G
                rows.append(TraceRow(phase, net_name, pending[net_name]["got_grad"], changed(before[net_name], net),
                                     pending[net_name]["norms"]))
        return handler

    with tr.attached(d_forward_end=on_forward, g_forward_end=on_forward, d_backward_end=on_backward("D"),
                     g_backward_end=on_backward("G"), d_step_end=on_step_end("D"), g_step_end=on_step_end("G")):
        tr.step()
    return StepTrace(rows, tr.state.step)


# --------------------------------------------------------------------------- G never sees the data
@dataclass
class GraphLeaves:
    """The leaves of the autograd graph of G's loss, by name."""

    names: list[str]            #: e.g. ["z", "G.net.linear1.weight", ..., "D.net.out.bias"]
    real_batch_used: bool       #: was the real batch (marked requires_grad) among them?

    def of(self, prefix: str) -> list[str]:
        """The leaves whose name starts with ``prefix`` ("G.", "D." or "z")."""
        return [n for n in self.names if n.startswith(prefix)]

    def summary(self) -> str:
        """One line per kind of leaf, wrapped at words under 80 characters."""
        g, d = self.of("G."), self.of("D.")
        lines = [f"z (the noise): {'yes' if 'z' in self.names else 'no'}",
                 f"G's parameters: {len(g)} tensors ({', '.join(n[2:] for n in g)})",
                 f"D's parameters: {len(d)} tensors ({', '.join(n[2:] for n in d)})",
                 f"the real batch: {'yes' if self.real_batch_used else 'no'}"]
        return "\n".join(textwrap.fill(line, 80, subsequent_indent="    ") for line in lines)

    def __str__(self) -> str:
        return self.summary()


def _graph_leaves(root: torch.Tensor) -> list[torch.Tensor]:
    """Every leaf tensor (AccumulateGrad node) reachable backwards from ``root``."""
    if root.grad_fn is None:
        return [root] if root.requires_grad else []
    seen, out, stack = set(), [], [root.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        var = getattr(node, "variable", None)
        if var is not None:
            out.append(var)
        stack.extend(fn for fn, _ in node.next_functions)
    return out


def loss_g_leaves(trainer, n: int = 64) -> GraphLeaves:
    """Build G's loss for ``n`` fresh noise vectors exactly as a G step does,
    ``loss_g = loss.g_loss(D(G(z)))``, and list the leaves of its autograd graph.

    To make the test fair, a real batch is drawn and marked ``requires_grad`` too, and so
    is ``z``: had either been used anywhere in the loss, autograd would list it. Nothing
    is trained and no ``.grad`` is written (the graph is only walked, never run backwards)."""
    _check_trainer(trainer)
    n = _check.positive_int("n", n)
    if n % trainer.pack:
        raise ValueError(f"n must be a multiple of the trainer's pack ({trainer.pack}), got {n}")
    g = torch.Generator().manual_seed(trainer.state.step)
    real = trainer.data.sample(n, generator=g).to(trainer.device).requires_grad_(True)
    z = trainer.G.sample_noise(n, generator=g).requires_grad_(True)
    loss_g = trainer.loss.g_loss(trainer.D(trainer._packed(trainer.G(z))))
    names = {id(z): "z", id(real): "real batch"}
    names.update({id(p): f"G.{k}" for k, p in trainer.G.named_parameters()})
    names.update({id(p): f"D.{k}" for k, p in trainer.D.named_parameters()})
    found = {names.get(id(t), "other") for t in _graph_leaves(loss_g)}
    rank = {"z": 0, "G": 1, "D": 2}
    ordered = [k for k in ["z", *(f"G.{k}" for k, _ in trainer.G.named_parameters()),
                           *(f"D.{k}" for k, _ in trainer.D.named_parameters()), "real batch", "other"] if k in found]
    ordered.sort(key=lambda k: rank.get(k.split(".")[0], 3))
    return GraphLeaves(ordered, "real batch" in found)


def real_batch_effect(trainer, other_data=None, n: int = 256, seed: int = 0) -> dict[str, float]:
    """How the real batch reaches G: only through D's update.

    G's loss has no real input, so with D fixed there is nothing to swap. This takes copies of
    G and D (the trainer is not changed), fixes the noise for a D update and for the G step,
    and measures G's gradient (a) with D as it is, (b) after one plain-SGD D update
    (learning rate ``trainer.lr_d``) on a real batch from the trainer's data, (c) after the same
    D update with the real batch swapped for ``other_data`` (default: wide Gaussian noise of the
    same shape). Returns the relative changes of G's gradient,
    ``{"d_update": |g_b - g_a| / |g_a|, "swapped_real_batch": |g_c - g_b| / |g_b|}``."""
    _check_trainer(trainer)
    n = _check.positive_int("n", n)
    seed = _check.integer("seed", seed, minimum=0)
    if n % trainer.pack:
        raise ValueError(f"n must be a multiple of the trainer's pack ({trainer.pack}), got {n}")
    shape = tuple(trainer.data.shape)
    gen = torch.Generator().manual_seed(seed)
    if other_data is None:
        other_data = data_mod.from_points(2.0 * torch.randn(2048, *shape, generator=gen))
    if not isinstance(other_data, data_mod.DataSource):
        raise TypeError(f"other_data must be a gan_edu.data source, got {type(other_data).__name__}")
    if tuple(other_data.shape) != shape:
        raise ValueError(f"other_data must have samples of shape {shape} like the trainer's data, got {tuple(other_data.shape)}")
    G, D, loss, pk = copy.deepcopy(trainer.G), trainer.D, trainer.loss, trainer._packed
    z_d, z_g = G.sample_noise(n, generator=gen), G.sample_noise(n, generator=gen)
    with torch.no_grad():
        fake_d = G(z_d)

    def g_grad(Dnet: nn.Module) -> torch.Tensor:
        G.zero_grad(set_to_none=True)
        for p in Dnet.parameters():          # frozen, as in the trainer's G step
            p.requires_grad_(False)
        loss.g_loss(Dnet(pk(G(z_g)))).backward()
        return torch.cat([p.grad.reshape(-1) for p in G.parameters()])

    def d_updated(real: torch.Tensor) -> nn.Module:
        Dc = copy.deepcopy(D)
        opt = torch.optim.SGD(Dc.parameters(), lr=trainer.lr_d)
        loss.d_loss(Dc(pk(real)), Dc(pk(fake_d))).backward()
        opt.step()
        return Dc

    real_b = trainer.data.sample(n, generator=gen).to(trainer.device)
    real_c = other_data.sample(n, generator=gen).to(trainer.device)
    g_a = g_grad(copy.deepcopy(D))
    g_b, g_c = g_grad(d_updated(real_b)), g_grad(d_updated(real_c))
    return {"d_update": float((g_b - g_a).norm() / g_a.norm()),
            "swapped_real_batch": float((g_c - g_b).norm() / g_b.norm())}


def uphill_fraction(trainer, points, arrows, eps: float = 1e-4) -> float:
    """Share of the ``arrows`` (from :func:`gan_edu.recorders.fake_gradients`) along which
    D(x) increases: D(p + eps * a/|a|) > D(p), evaluated in float64 on a copy of D."""
    _check_trainer(trainer)
    eps = _check.positive("eps", eps)
    p = torch.as_tensor(np.asarray(points), dtype=torch.float64)
    a = torch.as_tensor(np.asarray(arrows), dtype=torch.float64)
    if p.shape != a.shape or p.ndim != 2:
        raise ValueError(f"points and arrows must both have shape [N, d], got {tuple(p.shape)} and {tuple(a.shape)}")
    keep = a.norm(dim=1) > 0
    if not bool(keep.any()):
        raise ValueError("all arrows have length 0: there is no direction to test")
    p, a = p[keep], a[keep]
    D = copy.deepcopy(trainer.D).double().eval()
    pk = trainer._packed
    with torch.no_grad():
        step = eps * a / a.norm(dim=1, keepdim=True)
        up = D(pk(p + step)) > D(pk(p))
    return float(up.double().mean())


# --------------------------------------------------------------------------- saturation
def generator_logit_gradient(loss, logits: torch.Tensor) -> torch.Tensor:
    r"""For each logit :math:`\ell_i = D(G(z_i))`, the derivative of G's per-sample loss
    w.r.t. that logit, measured with autograd through ``loss.g_loss`` itself (not a formula).
    ``g_loss`` averages over the batch, so the batch gradient is multiplied back by N."""
    loss = losses_mod.get(loss)
    logits = torch.as_tensor(logits)
    if logits.ndim != 1 or logits.numel() == 0:
        raise ValueError(f"logits must be a non-empty 1-D tensor, got shape {tuple(logits.shape)}")
    x = logits.detach().clone().requires_grad_(True)
    grad, = torch.autograd.grad(loss.g_loss(x), x)
    return grad * x.numel()


@dataclass
class SaturationCurves:
    """Gradient of each generator loss w.r.t. the logit, against p = D(G(z))."""

    p: np.ndarray                       #: D(G(z)) values, strictly inside (0, 1)
    logits: np.ndarray                  #: log(p / (1 - p))
    loss: dict[str, np.ndarray]         #: per-sample loss value for each loss name
    grad: dict[str, np.ndarray]         #: d loss / d logit for each loss name (autograd)

    def ratio_at(self, p: float, top: str = "non_saturating", bottom: str = "minimax") -> float:
        """|grad of ``top``| / |grad of ``bottom``| at D(G(z)) = ``p`` (measured in float64)."""
        p = _check.number("p", p, minimum=0.0, strict_min=True, maximum=1.0)
        if p >= 1.0:
            raise ValueError("p must be < 1 (the logit of 1 is infinite)")
        logit = torch.tensor([math.log(p) - math.log1p(-p)], dtype=torch.float64)
        a = generator_logit_gradient(top, logit).abs().item()
        b = generator_logit_gradient(bottom, logit).abs().item()
        return a / b


def saturation_curves(losses=("minimax", "non_saturating"), n: int = 399, p_min: float = 0.001) -> SaturationCurves:
    """Each generator loss and its gradient w.r.t. the logit for ``n`` values of
    D(G(z)) from ``p_min`` to ``1 - p_min``, computed with autograd in float64."""
    n = _check.integer("n", n, minimum=2)
    p_min = _check.number("p_min", p_min, minimum=0.0, strict_min=True, maximum=0.49)
    if isinstance(losses, str) or not losses:
        raise ValueError(f"losses must be a non-empty list of loss names, got {losses!r}")
    for name in losses:
        if not losses_mod.get(name).probabilistic or losses_mod.get(name).name not in ("minimax", "non_saturating"):
            raise ValueError(f"losses must be generator losses of D's probability: 'minimax' or 'non_saturating'; got {name!r}")
    p = torch.linspace(p_min, 1 - p_min, n, dtype=torch.float64)
    logits = torch.log(p) - torch.log1p(-p)
    out_loss, out_grad = {}, {}
    for name in losses:
        obj = losses_mod.get(name)
        out_grad[obj.name] = generator_logit_gradient(obj, logits).numpy()
        out_loss[obj.name] = torch.stack([obj.g_loss(l.reshape(1)) for l in logits]).detach().numpy()
    return SaturationCurves(p.numpy(), logits.numpy(), out_loss, out_grad)


# --------------------------------------------------------------------------- the stall
@dataclass
class StallResult:
    """What happened when G trained against a confident, fixed D with each loss.

    ``start_signal`` is G's learning signal for each loss before the first G step, measured
    with :func:`gan_edu.lessons.scoring.g_signal` on the same fixed noise: ``logit_grad`` the
    mean size of d loss / d logit per sample (D(G(z)) for minimax, 1 - D(G(z)) for
    non-saturating), ``param_grad`` the size of the gradient for all of G's parameters."""

    d_fake: dict[str, np.ndarray]       #: mean D(G(z)) on a fixed z, after 0..g_steps G steps
    moved: dict[str, float]             #: mean distance the fixed-z samples moved
    before: np.ndarray                  #: G(z) before the G steps (the same for both losses)
    after: dict[str, np.ndarray]        #: G(z) after the G steps
    D: nn.Module                        #: the pre-trained (confident) discriminator, returns logits
    data: data_mod.DataSource
    d_steps: int
    g_steps: int
    lr_g: float
    start_signal: dict = field(default_factory=dict)   #: {loss name: GSignal} before the first G step

    @property
    def start(self) -> float:
        """Mean D(G(z)) before any G step."""
        return float(next(iter(self.d_fake.values()))[0])

    def winner(self, factor: float = 2.0) -> str:
        """Which loss moved G's samples further: "minimax", "non_saturating", or "same" when
        neither moved them ``factor`` times as far as the other."""
        mm, ns = self._pair(self.moved)
        if ns > factor * mm:
            return "non_saturating"
        if mm > factor * ns:
            return "minimax"
        return "same"

    def _pair(self, values: dict) -> tuple:
        if "minimax" not in values or "non_saturating" not in values:
            raise ValueError("this compares 'minimax' with 'non_saturating': run the experiment with both losses")
        return values["minimax"], values["non_saturating"]

    def ratio(self, what: str) -> float:
        """non-saturating / minimax for ``what``: ``"logit_grad"`` or ``"param_grad"`` (at the start,
        from :attr:`start_signal`) or ``"moved"`` (after all the G steps)."""
        if what == "moved":
            mm, ns = self._pair(self.moved)
        else:
            _check.one_of("what", what, ("logit_grad", "param_grad", "moved"))
            mm, ns = (getattr(s, what) for s in self._pair(self.start_signal))
        return ns / mm

    @property
    def claims(self) -> dict[str, bool]:
        """Lesson 03's claims about this run, each with a margin that holds for every seed we tried
        (the lesson's seed is 0; seeds 0-6 give mean D(G(z)) 0.0007-0.0013 at the start, per-sample
        ratios of 750-1350, parameter ratios of 85-1280, top-5 % shares of 11-70 % and moved ratios
        of 107-824)."""
        return {
            "D was confident: mean D(G(z)) at the start in (0.0003, 0.003)": 3e-4 < self.start < 3e-3,
            "per sample, the non-saturating push was 300x to 3000x the minimax one":
                300 < self.ratio("logit_grad") < 3000,
            "for G's parameters it was still more than 10x larger": self.ratio("param_grad") > 10,
            "5 % of the fakes carried over 1.5x their share of the minimax push":
                self.start_signal["minimax"].top_share > 0.075,
            f"after {self.g_steps} G steps, non-saturating moved the samples over 20x as far":
                self.ratio("moved") > 20,
            "mean D(G(z)) ended above 0.5 with it, below 0.05 with minimax":
                self.d_fake["non_saturating"][-1] > 0.5 and self.d_fake["minimax"][-1] < 0.05,
        }

    def report(self) -> str:
        """The measurements, then the checked claims (raises AssertionError if one does not hold)."""
        mm, ns = self._pair(self.start_signal)
        lines = [f"Before the G steps: mean D(G(z)) = {self.start:.4f}",
                 "  per sample, |d loss / d logit|:  "
                 f"minimax {mm.logit_grad:.2g}, non-saturating {ns.logit_grad:.2g}  ({self.ratio('logit_grad'):.0f}x)",
                 "  for G's parameters, |grad|:      "
                 f"minimax {mm.param_grad:.2g}, non-saturating {ns.param_grad:.2g}  ({self.ratio('param_grad'):.0f}x)",
                 f"  share of the minimax push carried by the 5 % of fakes D was least sure of: {mm.top_share:.0%}",
                 f"After {self.g_steps} G steps (plain SGD, D fixed):",
                 f"  samples moved on average: minimax {self.moved['minimax']:.3f}, "
                 f"non-saturating {self.moved['non_saturating']:.3f}  ({self.ratio('moved'):.0f}x)",
                 f"  mean D(G(z)): minimax {self.d_fake['minimax'][-1]:.4f}, "
                 f"non-saturating {self.d_fake['non_saturating'][-1]:.2f}",
                 "", check_claims(self.claims)]
        return "\n".join(lines)


def stall_experiment(data=None, d_steps: int = 100, g_steps: int = 50, lr_g: float = 0.002, lr_d: float = 5e-3,
                     losses=("minimax", "non_saturating"), hidden: int = 64, batch_size: int = 128, n: int = 256,
                     seed: int = 0) -> StallResult:
    """Pre-train D (Adam, ``d_steps`` D updates at ``lr_d``) against a fixed, untrained G until
    it is confident, then, from that same start, run ``g_steps`` G updates with each loss in
    ``losses`` while D stays fixed. G uses plain SGD at ``lr_g`` so that the size of a step is
    the size of the gradient (Adam would rescale it). Records G's learning signal before the
    first G step, and mean D(G(z)) on ``n`` (>= 4) fixed noise vectors after every G step and how
    far those samples moved. The same ``seed`` gives the same run every time."""
    from ..trainer import Trainer

    data = data if data is not None else data_mod.ring()
    if not isinstance(data, data_mod.DataSource) or len(data.shape) != 1:
        raise TypeError(f"data must be a gan_edu.data source of points (e.g. ge.data.ring()), got {data!r}")
    d_steps = _check.positive_int("d_steps", d_steps)
    g_steps = _check.positive_int("g_steps", g_steps)
    lr_g = _check.positive("lr_g", lr_g)
    lr_d = _check.positive("lr_d", lr_d)
    batch_size = _check.positive_int("batch_size", batch_size)
    hidden = _check.positive_int("hidden", hidden)
    n = _check.integer("n", n, minimum=4)                 # g_signal compares sub-batches of at least 2
    seed = _check.integer("seed", seed, minimum=0)
    if isinstance(losses, str) or not losses:
        raise ValueError(f"losses must be a non-empty list of loss names, got {losses!r}")
    losses = [losses_mod.get(name).name for name in losses]
    pre = tiny_gan(seed, data, hidden=hidden, lr_d=lr_d, batch_size=batch_size)
    G, D = pre.G, pre.D
    for _ in range(d_steps):
        pre.step_d()
    z = G.sample_noise(n, generator=torch.Generator().manual_seed(seed + 7))
    before = pre.sample(n, z=z)
    d_fake, moved, after, signal = {}, {}, {}, {}
    for name in losses:
        tr = Trainer(copy.deepcopy(G), copy.deepcopy(D), data, loss=name, optimizer="sgd", lr_g=lr_g,
                     batch_size=batch_size, seed=seed, device="cpu")
        signal[name] = g_signal(tr, z, name, n_batches=min(8, n // 2))     # before the first G step
        curve = [tr.d_prob(before).mean().item()]
        for _ in range(g_steps):
            tr.step_g()
            curve.append(tr.d_prob(tr.sample(n, z=z)).mean().item())
        x = tr.sample(n, z=z)
        d_fake[name], after[name] = np.asarray(curve), x.numpy()
        moved[name] = float((x - before).norm(dim=1).mean())
    return StallResult(d_fake, moved, before.numpy(), after, pre.D, data, d_steps, g_steps, lr_g, signal)
