r"""The bug clinic: three classic mistakes in a GAN's discriminator step, and a checker.

The reference D step (as in pytorch/examples ``dcgan/main.py``) maximises
:math:`E_x \log D(x) + E_z \log(1 - D(G(z)))`, i.e. minimises binary cross-entropy
with the label 1 for real samples and 0 for fakes, with the fake batch **detached**
and D's raw **logits** fed to a ``*_with_logits`` loss::

    opt_d.zero_grad()
    fake = G(z).detach()                                   # the gradient stops at G(z)
    real_logits, fake_logits = D(real), D(fake)            # logits: no sigmoid here
    loss = bce_with_logits(real_logits, 1) + bce_with_logits(fake_logits, 0)
    loss.backward()
    opt_d.step()

The three bugs (each seen in real questions about GAN code):

* ``"fake_labelled_real"`` -- the fakes get the label 1 in D's loss (the label 1 for
  fakes belongs in G's non-saturating loss, not in D's);
* ``"no_detach"`` -- ``D(fake)`` without ``.detach()``: ``loss.backward()`` runs on into
  G and fills G's ``.grad`` with the gradient of D's loss;
* ``"double_sigmoid"`` -- ``torch.sigmoid`` applied to D's output before a
  ``*_with_logits`` loss, which applies the sigmoid again.

:func:`check_d_step` runs a learner's step on a fresh tiny GAN and reads what
happened: the gradient that reached each of D's outputs (its shape over the logits
tells the label and whether a sigmoid was added), and whether G got a gradient.
:func:`solution` prints the fix.

:func:`double_sigmoid` measures, with autograd, what the third bug does. With an extra
sigmoid, a ``*_with_logits`` loss reads D's probability :math:`p = \sigma(\ell)` as a logit,
so it sees :math:`\sigma(p) \in (0.5, 0.731)` whatever D says, and the gradient reaching
D's logit is :math:`(\sigma(\sigma(\ell)) - y)\,\sigma'(\ell)` instead of :math:`\sigma(\ell) - y`:
a few times weaker where D is right or undecided, and vanishing where D is confidently wrong
(the samples it most needs to learn from). D's own output still reaches 0 and 1; the loss
never drops below :math:`-\log\sigma(1) - \log\tfrac12 \approx 1.006`. That is saturation.
"""
from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from .. import _check
from .. import data as data_mod
from .factory import networks
from .gradflow import changed, has_grad, parameters_of
from .scoring import check_claims

__all__ = ["BUGS", "reference_d_step", "solution", "Finding", "ClinicReport", "check_d_step", "DoubleSigmoid",
           "double_sigmoid", "ZONES"]

BUGS = ("fake_labelled_real", "no_detach", "double_sigmoid")
TITLES = {"fake_labelled_real": "fake labelled real", "no_detach": "missing .detach()",
          "double_sigmoid": "sigmoid applied twice"}

STILL_WRONG = {
    "fake_labelled_real": (
        "D's loss gives the fake batch the label 1 (\"real\"), so this step teaches D to call the fakes real: "
        "its gradient pushes D(G(z)) up instead of down. Look at the target you pair with D's output on the fakes: "
        "in the D step it must be 0, e.g. torch.zeros_like(...). (Fakes labelled 1 belong in G's loss, not D's.)"),
    "no_detach": (
        "G's parameters received gradients during the D step: the fake batch was not detached, so loss.backward() "
        "ran on through G. Those gradients point the way that makes fakes EASIER to spot; unless they are cleared "
        "before the G step they are added to G's update, and the pass through G is wasted work either way. "
        "Look at where D sees the fake batch: use D(fake.detach()), or make fake under torch.no_grad()."),
    "double_sigmoid": (
        "D's gradients match sigmoid(sigmoid(logit)): the sigmoid is applied twice. D already returns a logit and "
        "binary_cross_entropy_with_logits applies the sigmoid itself, so the loss reads D's probability p as a "
        "logit and sees sigmoid(p), stuck between 0.5 and 0.73 whatever D says: the loss never drops below about "
        "1.0, and the gradient saturates. It is a few times weaker where D is right or undecided, and it vanishes "
        "where D is confidently wrong, exactly where D should learn most (measured below). Look for torch.sigmoid "
        "before a *_with_logits loss: pass the raw logits (or use F.binary_cross_entropy on probabilities)."),
}
FIXED = {
    "fake_labelled_real": "the fakes are labelled 0 in D's loss.",
    "no_detach": "G got no gradient in the D step: the fake batch is detached.",
    "double_sigmoid": "the loss sees D's raw logits (one sigmoid, inside the loss).",
}


# --------------------------------------------------------------------------- the steps
def reference_d_step(D, G, real, z, opt_d):
    """One discriminator update: maximise E log D(x) + E log(1 - D(G(z))),
    i.e. minimise BCE with real -> 1 and fake -> 0. G is held fixed."""
    opt_d.zero_grad()
    fake = G(z).detach()                                   # stop the gradient at G(z): this step trains D only
    real_logits, fake_logits = D(real), D(fake)            # D returns logits: no sigmoid here
    loss = (F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))      # real -> 1
            + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))  # fake -> 0
    loss.backward()
    opt_d.step()
    return loss.item()


SOLUTIONS = {"d_step": reference_d_step}


def solution(name: str = "d_step") -> None:
    """Print a correct version of the clinic's exercise ``name`` (only ``"d_step"`` so far)."""
    _check.one_of("name", name, SOLUTIONS)
    print(inspect.getsource(SOLUTIONS[name]).rstrip())


# --------------------------------------------------------------------------- the report
@dataclass
class Finding:
    """The checker's verdict on one bug: ``status`` is "fixed", "still wrong" or "could not tell"."""

    bug: str
    status: str
    message: str

    @property
    def present(self) -> bool | None:
        return {"fixed": False, "still wrong": True}.get(self.status)


@dataclass
class ClinicReport:
    """What :func:`check_d_step` found. Displays as plain text; ``.passed`` is True when every
    bug is fixed and nothing else looked wrong."""

    name: str
    findings: list[Finding]
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    def status(self, bug: str) -> str:
        _check.one_of("bug", bug, BUGS)
        return next(f.status for f in self.findings if f.bug == bug)

    @property
    def present(self) -> list[str]:
        """The bugs found still present."""
        return [f.bug for f in self.findings if f.status == "still wrong"]

    @property
    def passed(self) -> bool:
        return self.error is None and not self.notes and all(f.status == "fixed" for f in self.findings)

    def text(self) -> str:
        marks = {"fixed": "✔ fixed", "still wrong": "✘ still wrong", "could not tell": "? could not tell"}
        lines = [f"Checked {self.name} on a fresh tiny GAN against the reference D step."]
        if self.error:
            lines.append(f"✘ your step raised an error: {self.error}")
            lines.append("  Fix that first, then run the checker again.")
        for f in self.findings:
            lines.append(f"{marks[f.status]}: {TITLES[f.bug]}.")
            lines.extend(f"    {line}" for line in _wrap(f.message))
        for note in self.notes:
            lines.append("✘ also: " + _wrap(note)[0])
            lines.extend(f"    {line}" for line in _wrap(note)[1:])
        fixed = sum(f.status == "fixed" for f in self.findings)
        if self.passed:
            lines.append(f"All {len(self.findings)} bugs fixed: your D step does what the reference does.")
        else:
            lines.append(f"{fixed} of {len(self.findings)} bugs fixed.")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return self.text()

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(self.text())


def _wrap(text: str, width: int = 80) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [""]


# --------------------------------------------------------------------------- the checker
def _tiny_gan(seed: int):
    """A fresh 2D GAN (:func:`gan_edu.lessons.factory.networks`) whose D gives widely spread logits,
    so the gradient's shape over the logits tells the hypotheses apart; a real batch and the
    noise for G, 32 each. Does not touch the global random state."""
    G, D = networks(seed, hidden=16, depth=1)
    with torch.no_grad():
        G.net.out.weight.mul_(4.0)                      # fakes spread over the plane
        D.net.out.weight.mul_(15.0)                     # logits spread over a few units
    g = torch.Generator().manual_seed(seed)
    real = data_mod.ring().sample(32, generator=g)
    z = G.sample_noise(32, generator=g)
    return G, D, real, z


def _hypotheses(logits: torch.Tensor, labels: tuple[float, ...]) -> dict[tuple[float, bool], torch.Tensor]:
    """d loss / d logit per sample, up to a positive factor, for BCE against each label,
    with the logit used as is (False) or squashed by an extra sigmoid first (True)."""
    s = torch.sigmoid(logits)
    out = {}
    for y in labels:
        out[(y, False)] = s - y
        out[(y, True)] = (torch.sigmoid(s) - y) * s * (1 - s)
    return out


def _classify(logits: torch.Tensor, grads: torch.Tensor, labels: tuple[float, ...], tol: float = 1e-3):
    """The hypothesis (label, extra_sigmoid) whose shape matches ``grads`` up to a positive
    factor, or None."""
    g = grads.double()
    if float(g.norm()) == 0.0:
        return None
    best, best_res = None, tol
    for key, h in _hypotheses(logits.double(), labels).items():
        c = float(g @ h / (h @ h))
        if c <= 0:
            continue
        res = float((g - c * h).norm() / g.norm())
        if res < best_res:
            best, best_res = key, res
    return best


def _rows_matching(x: torch.Tensor, ref: torch.Tensor, atol: float = 1e-5) -> torch.Tensor:
    """For each row of ``x``, whether it equals some row of ``ref``."""
    if x.ndim != 2 or x.shape[1] != ref.shape[1]:
        return torch.zeros(x.shape[0] if x.ndim else 0, dtype=torch.bool)
    return (torch.cdist(x.double(), ref.double()) <= atol).any(dim=1)


def check_d_step(fn: Callable, seed: int = 0) -> ClinicReport:
    """Run ``fn(D, G, real, z, opt_d)`` -- a learner's discriminator step -- once on a fresh
    tiny GAN (D returns logits; ``opt_d`` is SGD over D's parameters) and report, for each of
    :data:`BUGS`, whether it is still there and what to look at. Nothing outside is changed
    (the global random state included)."""
    name = _check_step_function(fn)
    seed = _check.integer("seed", seed, minimum=0)
    G, D, real, z = _tiny_gan(seed)
    with torch.no_grad():
        fake_ref = G(z)
    run = _run_step(fn, G, D, real, z)
    if run.error is not None:
        findings = [Finding(b, "could not tell", "the step did not finish.") for b in BUGS]
        return ClinicReport(name, findings, error=run.error)
    verdict, fake_x_grad, unknown_rows = _read_outputs(run.calls, real, fake_ref)
    findings = [_fake_label_finding(verdict["fake"]), _detach_finding(run.g_grad or fake_x_grad),
                _sigmoid_finding(verdict)]
    return ClinicReport(name, findings, _notes(verdict["real"], unknown_rows, run.g_changed, run.d_changed))


def _check_step_function(fn) -> str:
    """The name of the learner's step, after checking it takes five arguments."""
    if not callable(fn):
        raise TypeError(f"fn must be a function taking (D, G, real, z, opt_d), got {type(fn).__name__}")
    try:
        inspect.signature(fn).bind(None, None, None, None, None)
    except TypeError:
        raise TypeError(f"fn must take five arguments (D, G, real, z, opt_d); {getattr(fn, '__name__', fn)!r} "
                        f"has the signature {inspect.signature(fn)}") from None
    except ValueError:             # builtins without a signature: let the call decide
        pass
    return getattr(fn, "__name__", "your step")


@dataclass
class _Run:
    """What the learner's step did: every call of D (its input, whether the input needed a
    gradient, its logits and the gradient that reached them), and which network moved."""

    calls: list[dict]
    error: str | None
    g_grad: bool = False
    g_changed: bool = False
    d_changed: bool = False


def _run_step(fn: Callable, G, D, real: torch.Tensor, z: torch.Tensor) -> _Run:
    """Run ``fn`` once with SGD over D's parameters, recording each call of D with a forward hook."""
    opt_d = torch.optim.SGD(D.parameters(), lr=0.01)
    calls: list[dict] = []

    def hook(module, inputs, output):
        x = inputs[0]
        rec = {"x": x.detach().clone(), "x_grad": bool(x.requires_grad), "logits": output.detach().clone(), "grad": None}
        if output.requires_grad:
            def keep(grad, rec=rec):
                rec["grad"] = grad.detach().clone() if rec["grad"] is None else rec["grad"] + grad.detach()
            output.register_hook(keep)
        calls.append(rec)

    g_before, d_before = parameters_of(G), parameters_of(D)
    handle = D.register_forward_hook(hook)
    try:
        with torch.random.fork_rng(devices=[]):
            fn(D, G, real.clone(), z.clone(), opt_d)
    except Exception as err:  # noqa: BLE001 - the learner's code may raise anything; we report it
        return _Run(calls, f"{type(err).__name__}: {err}")
    finally:
        handle.remove()
    return _Run(calls, None, has_grad(G), changed(g_before, G), changed(d_before, D))


def _read_outputs(calls: list[dict], real: torch.Tensor, fake_ref: torch.Tensor):
    """Which hypothesis the gradient on D's outputs matches, for the real and for the fake batch
    (or "unseen", "no gradient", "unknown"); whether the fakes D saw needed a gradient (not
    detached); how many rows D saw that were neither real nor G(z)."""
    sides = {"real": ([], [], False), "fake": ([], [], False)}
    unknown_rows = 0
    for rec in calls:
        is_real, is_fake = _rows_matching(rec["x"], real), _rows_matching(rec["x"], fake_ref)
        unknown_rows += int((~(is_real | is_fake)).sum())
        for side, mask in (("real", is_real), ("fake", is_fake & ~is_real)):
            if bool(mask.any()):
                logits, grads, x_grad = sides[side]
                logits.append(rec["logits"].reshape(-1)[mask])
                grads.append(None if rec["grad"] is None else rec["grad"].reshape(-1)[mask])
                sides[side] = (logits, grads, x_grad or (side == "fake" and rec["x_grad"]))
    verdict = {}
    for side, labels in (("real", (1.0, 0.0)), ("fake", (0.0, 1.0))):
        logits, grads, _ = sides[side]
        if not logits:
            verdict[side] = "unseen"
        elif any(g is None for g in grads):
            verdict[side] = "no gradient"
        else:
            verdict[side] = _classify(torch.cat(logits), torch.cat(grads), labels) or "unknown"
    return verdict, sides["fake"][2], unknown_rows


def _fake_label_finding(fv) -> Finding:
    """Bug 1: the label of the fakes in D's loss, from the verdict on the fake batch."""
    bug = "fake_labelled_real"
    if fv == "unseen":
        return Finding(bug, "could not tell", "D never saw the fake batch G(z): the D step must show D "
                       "both the real batch and G(z) made from the z you are given.")
    if fv == "no gradient":
        return Finding(bug, "could not tell", "no gradient reached D's output on the fakes: did you "
                       "call loss.backward() on a loss that includes D(fake)?")
    if fv == "unknown":
        return Finding(bug, "could not tell", "D's gradient on the fakes matches neither the reference "
                       "nor a known bug: look at the loss term on D's output for the fake batch (BCE against 0, averaged).")
    if fv[0] == 1.0:
        return Finding(bug, "still wrong", STILL_WRONG[bug])
    return Finding(bug, "fixed", FIXED[bug])


def _detach_finding(not_detached: bool) -> Finding:
    """Bug 2: the fake batch reached D without ``.detach()`` (G got a gradient, or the fakes needed one)."""
    return Finding("no_detach", "still wrong" if not_detached else "fixed",
                   STILL_WRONG["no_detach"] if not_detached else FIXED["no_detach"])


def _sigmoid_finding(verdict: dict) -> Finding:
    """Bug 3: an extra sigmoid before the ``*_with_logits`` loss, on either batch."""
    known = [v for v in verdict.values() if isinstance(v, tuple)]
    if any(v[1] for v in known):
        return Finding("double_sigmoid", "still wrong", STILL_WRONG["double_sigmoid"])
    if known:
        return Finding("double_sigmoid", "fixed", FIXED["double_sigmoid"])
    return Finding("double_sigmoid", "could not tell", "no gradient on D's outputs matched a known shape, so the "
                   "checker could not see whether a sigmoid was added; fix the notes below first.")


def _notes(rv, unknown_rows: int, g_changed: bool, d_changed: bool) -> list[str]:
    """Anything else that looked wrong: the real batch's label or gradient, samples that are
    neither real nor G(z), G moved, D did not."""
    notes = []
    if rv == "unseen":
        notes.append("D never saw the real batch: D's loss needs D(real) with the label 1.")
    elif rv == "no gradient":
        notes.append("no gradient reached D's output on the real batch: is D(real) part of the loss you call backward() on?")
    elif rv == "unknown":
        notes.append("D's gradient on the real batch matches neither the reference nor a known bug: look at the loss "
                     "term on D(real) (BCE against 1, averaged).")
    elif rv[0] == 0.0:
        notes.append("the real batch is labelled 0 (\"fake\"): in D's loss real samples get the label 1.")
    if unknown_rows:
        notes.append("D was shown samples that are neither the real batch nor G(z) for the z you were given: use the "
                     "arguments the checker passes, do not draw new ones.")
    if g_changed:
        notes.append("G's parameters changed during the D step: opt_d must hold only D's parameters, and only "
                     "opt_d.step() belongs in the D step.")
    if not d_changed:
        notes.append("D's parameters did not change: call loss.backward() and then opt_d.step().")
    return notes


# --------------------------------------------------------------------------- the third bug, measured
#: where D stands on a sample, by its *margin* (the logit signed so that + means D is right:
#: the logit itself for a real sample, minus it for a fake): (lowest margin, highest margin)
ZONES = {"sure and right": (3.0, math.inf), "undecided": (-0.5, 0.5), "sure and wrong": (-math.inf, -3.0),
         "very sure and wrong": (-math.inf, -7.0)}
_ZONE_WORDS = {"sure and right": "margin 3 or more", "undecided": "margin within 0.5 of 0",
               "sure and wrong": "margin -3 or less", "very sure and wrong": "margin -7 or less"}


@dataclass
class DoubleSigmoid:
    """What an extra sigmoid before a ``*_with_logits`` loss does, per sample, measured with autograd.

    ``margin`` is D's logit signed so that + means D is right (a real sample's logit, minus a
    fake's); ``ratio[label]`` ("real", "fake") the size of the gradient reaching D's logit with
    the bug divided by its size without; ``output`` D's own probability sigma(l) and ``view``
    what the buggy loss reads as that probability, sigma(sigma(l)), both for l = margin;
    ``floor`` the smallest D loss (BCE on a real sample + BCE on a fake) the buggy loss reaches."""

    margin: np.ndarray
    ratio: dict[str, np.ndarray]
    output: np.ndarray
    view: np.ndarray
    floor: float

    def zone(self, name: str) -> tuple[float, float]:
        """The smallest and largest ratio, over both labels, for margins in :data:`ZONES` ``[name]``."""
        lo, hi = ZONES[_check.one_of("name", name, ZONES)]
        inside = (self.margin >= lo) & (self.margin <= hi)
        values = np.concatenate([r[inside] for r in self.ratio.values()])
        return float(values.min()), float(values.max())

    def weaker(self, name: str) -> tuple[float, float]:
        """How many times weaker the buggy gradient is in zone ``name``: (least, most), both labels."""
        lo, hi = self.zone(name)
        return 1 / hi, 1 / lo

    @property
    def claims(self) -> dict[str, bool]:
        """Lesson 03's claims (True if they hold). No seed is involved; the bounds are round numbers
        around the exact values (2.0-3.8x, 2.7-6.5x, 31x and 1500x at the zones' inner edges)."""
        right, undecided = self.weaker("sure and right"), self.weaker("undecided")
        return {
            "sure and right: 2x to 4x weaker": 1.8 <= right[0] and right[1] <= 4.5,
            "undecided: 2.5x to 7x weaker": 2.2 <= undecided[0] and undecided[1] <= 7.5,
            "sure and wrong: more than 25x weaker": self.weaker("sure and wrong")[0] > 25,
            "very sure and wrong: more than 1000x weaker": self.weaker("very sure and wrong")[0] > 1000,
            "D's own output reaches below 0.001 and above 0.999": self.output.min() < 1e-3 and self.output.max() > 0.999,
            "the loss reads it as 0.5 to 0.731 only": 0.5 <= self.view.min() and self.view.max() <= 0.7311,
            "the buggy loss never drops below 1.0": self.floor >= 1.0,
        }

    def report(self) -> str:
        """The measured ratios per zone, then the checked claims (AssertionError if one fails)."""
        lines = ["How many times weaker the gradient reaching D's logit is with the extra sigmoid",
                 "(margin: D's logit, + on the right side, - on the wrong side):"]
        for name, (lo, hi) in ZONES.items():
            inside = (self.margin >= lo) & (self.margin <= hi)
            parts = [f"{label} {_times(1 / r[inside].max(), 1 / r[inside].min())}" for label, r in self.ratio.items()]
            lines.append(f"  {name} ({_ZONE_WORDS[name]}): {', '.join(parts)}")
        lines += [f"D's own output: {self.output.min():.4f} to {self.output.max():.4f}; "
                  f"what the loss reads: {self.view.min():.3f} to {self.view.max():.3f}",
                  f"lowest D loss (BCE real + BCE fake) the buggy step can reach: {self.floor:.3f}", "",
                  check_claims(self.claims)]
        return "\n".join(lines)


def _times(least: float, most: float) -> str:
    """'3.7x' or '2.0x to 2.1x' or '45x to 5965x'."""
    def one(v: float) -> str:
        return f"{v:.1f}x" if v < 10 else f"{v:.0f}x"
    return one(least) if one(least) == one(most) else f"{one(least)} to {one(most)}"


def double_sigmoid(max_margin: float = 8.0, n: int = 321) -> DoubleSigmoid:
    """Measure the sigmoid-twice bug on ``n`` margins from ``-max_margin`` to ``max_margin`` (float64):
    for a real sample (label 1, logit = margin) and a fake (label 0, logit = -margin), the gradient
    of ``binary_cross_entropy_with_logits`` w.r.t. D's logit, fed the logit (right) or sigmoid(logit)
    (the bug), each by autograd. A formula is used only by the tests, to check these."""
    max_margin = _check.number("max_margin", max_margin, minimum=7.0)      # the zones reach 7 on the wrong side
    n = _check.integer("n", n, minimum=11)
    margin = torch.linspace(-max_margin, max_margin, n, dtype=torch.float64)
    ratio, losses = {}, {}
    for label, y, sign in (("real", 1.0, 1.0), ("fake", 0.0, -1.0)):
        logit = (sign * margin).requires_grad_(True)
        target = torch.full_like(logit, y)
        right = F.binary_cross_entropy_with_logits(logit, target, reduction="sum")
        buggy_each = F.binary_cross_entropy_with_logits(torch.sigmoid(logit), target, reduction="none")
        g_right, = torch.autograd.grad(right, logit)
        g_buggy, = torch.autograd.grad(buggy_each.sum(), logit)
        ratio[label] = (g_buggy.abs() / g_right.abs()).numpy()
        losses[label] = buggy_each.detach()
    p = torch.sigmoid(margin)
    return DoubleSigmoid(margin.numpy(), ratio, p.numpy(), torch.sigmoid(p).numpy(),
                         float(losses["real"].min() + losses["fake"].min()))
