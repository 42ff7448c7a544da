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
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from .. import _check
from .. import data as data_mod
from .factory import networks
from .gradflow import changed, has_grad, parameters_of

__all__ = ["BUGS", "reference_d_step", "solution", "Finding", "ClinicReport", "check_d_step"]

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
        "binary_cross_entropy_with_logits applies the sigmoid itself, so the loss sees sigmoid(p), stuck between "
        "0.5 and 0.73: D can never say \"fake\", and its gradients are at least 4 times weaker. Look for "
        "torch.sigmoid before a *_with_logits loss: pass the raw logits (or use F.binary_cross_entropy on probabilities)."),
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


def _wrap(text: str, width: int = 100) -> list[str]:
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
