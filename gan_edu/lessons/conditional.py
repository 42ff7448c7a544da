r"""Lesson 09, "draw me a 7": a class-conditional GAN on the 8x8 digits, steered and checked.

The networks are :class:`~gan_edu.models.ConditionalDCGenerator` (the class enters G as a one-hot
vector appended to z: the same as adding a learned vector :math:`w_y` per class to the first
layer's output) and :class:`~gan_edu.models.ConditionalDCDiscriminator` (a projection D,
:math:`D(x, y) = \psi(\phi(x)) + e_y^\top\phi(x)`). They train with the ordinary
:class:`~gan_edu.trainer.Trainer` -- the labels flow with the real batch and G is asked for
uniformly drawn classes; there is no second training loop.

What the lesson measures, each with an **independent** judge (:mod:`gan_edu.lessons.judges`:
scikit-learn logistic regression on pixels, fitted on the kit's training split; G trains on the
same split, so the held-out digits are new to both):

* :func:`one_hot_as_vector` -- G's first layer computed two ways: on ``[z, onehot(y)]`` and as
  ``W_z z + w_y`` (the one-hot only picks a learned vector per class);
* :func:`steering` -- does G draw the class it is asked for? The judge's agreement with the
  requested class, per class and overall, and its mean confidence on G's samples against held-out
  real digits (the confidence ratio);
* :func:`variety` -- what the judge cannot see: how varied G's samples of one class are, next to
  real digits of that class (``train(watch=...)`` records it, with :func:`steering`, during training);
* :func:`d_uses_the_label` -- the trained D's probability of "real" for real digits with their own
  label, with another label, and for G's samples;
* :func:`label_vs_noise` -- is the label "just another noise dimension"? With z fixed, a new label
  changes the judged digit almost always; with the label fixed, a new z (a far larger change of G's
  input) rarely does, and neither does a move of z as large as switching the one-hot; and z's style
  (here: how much ink) carries over from one class to the next;
* :func:`copying` -- does a conditional G hand back its training images? The nearest-neighbour
  memorisation check (:func:`gan_edu.evaluation.memorisation_check`), for all samples and class by
  class, against held-out real digits;
* :func:`self_conditioned` -- and without labels? The same networks trained on k-means clusters of the
  pixels (:func:`gan_edu.data.clustered`) instead of the digit labels, sampled at the clusters' shares
  (the preset ``digits-selfcond``, for the lesson's number of steps): the judge's confidence ratio and
  the copying check of its samples.

Everything is seeded: the same seed gives the same G, the same samples and the same numbers.
Sampling never changes the trainer (every call here passes its own z or random stream).

    run = conditional.train(seed=0)                  # about 20 s on one CPU thread
    check = conditional.steering(run.trainer, run.judge)
    print(check.agreement, check.confidence_ratio)
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import torch

from .. import _check, models
from .. import data as data_mod
from .. import evaluation as ev
from ..presets import digits as digits_preset
from ..presets.registry import linear_decay
from ..trainer import Trainer
from . import judges as judges_mod
from .factory import progress_reporter

__all__ = ["SETTINGS", "STEPS", "Run", "build_trainer", "train", "Snapshot", "OneHotAsVector", "one_hot_as_vector",
           "samples_of", "Steering", "steering", "variety", "DLabels", "d_uses_the_label", "LabelVsNoise",
           "label_vs_noise", "noise_walk", "style_grid", "Copying", "copying", "label_or_noise_outcome", "SelfConditioned",
           "self_conditioned"]

#: the settings of the lesson's conditional GAN: those of ``digits-conditional`` (lesson 07's tuned DCGAN: latent 16,
#: 32 features, batch 64, Adam 2e-3; a moving average of G), trained for fewer steps to fit the lesson's minute, with
#: the learning rate decayed linearly to ``decay_factor`` x over the second half of the run (the preset: from step 1000)
STEPS = 1200
SETTINGS = {**{k: digits_preset.DCGAN[k] for k in ("latent_dim", "features", "batch_size", "lr", "betas", "decay_factor")},
            "ema": digits_preset.CONDITIONAL_EMA}


class Run(NamedTuple):
    trainer: Trainer            #: the trained conditional trainer (``trainer.sample(n, labels=...)``)
    judge: judges_mod.Judge     #: the independent judge; ``judge.split`` is the split G trained on
    steps: int
    cpu_seconds: float          #: CPU time of the training (user + system, this process)
    snapshots: dict             #: {step: Snapshot} for the steps in ``watch``


# --------------------------------------------------------------------------- training
def build_trainer(judge: judges_mod.Judge, seed: int = 0, steps: int = STEPS) -> Trainer:
    """A conditional DCGAN Trainer on the training part of ``judge.split`` (the held-out digits stay new to G),
    networks built under ``seed`` (the caller's random state is left alone), with :data:`SETTINGS` and a linear
    learning-rate decay from step ``steps // 2`` to ``steps``."""
    if not isinstance(judge, judges_mod.Judge):
        raise TypeError(f"judge must be the Judge from judges.independent_classifier(), got {type(judge).__name__}")
    return _trainer(judge.split.train, seed, steps, SETTINGS["ema"])


def _trainer(data, seed: int, steps: int, ema: float) -> Trainer:
    """The lesson's conditional networks for ``data``'s classes, built under ``seed``, with :data:`SETTINGS`
    (the moving average ``ema``) and the learning rate decayed linearly from step ``steps // 2`` to ``steps``."""
    seed = _check.integer("seed", seed, minimum=0)
    steps = _check.integer("steps", steps, minimum=2)
    k, (c, h, _) = len(data.classes), data.shape
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        G = models.ConditionalDCGenerator(latent_dim=SETTINGS["latent_dim"], n_classes=k, image_size=h, channels=c,
                                          features=SETTINGS["features"])
        D = models.ConditionalDCDiscriminator(n_classes=k, image_size=h, channels=c, features=SETTINGS["features"])
    tr = Trainer(G, D, data, batch_size=SETTINGS["batch_size"], lr_g=SETTINGS["lr"], lr_d=SETTINGS["lr"],
                 betas=SETTINGS["betas"], seed=seed, ema=ema)
    linear_decay(tr, steps // 2, steps, SETTINGS["decay_factor"])
    return tr


def train(seed: int = 0, steps: int = STEPS, judge: judges_mod.Judge | None = None,
          on_progress: Callable | None = None, every: int = 50, watch=()) -> Run:
    """Fit the judge (unless given), build :func:`build_trainer` and train ``steps`` steps with ``trainer.run``.
    ``on_progress(trainer, steps)`` is called before the first step, every ``every`` steps and at the end (a
    progress bar's update). At each step in ``watch`` (0: before training) a :class:`Snapshot` is taken: the
    judge's :func:`steering` check and G's digits 0-9 for two fixed z's -- sampling only, so the course of
    training is the same with or without it."""
    judge = judges_mod.independent_classifier(seed=0) if judge is None else judge
    tr = build_trainer(judge, seed=seed, steps=steps)
    progress = progress_reporter(on_progress, every, steps)
    watch = sorted({_check.integer("watch step", w, minimum=0, maximum=steps) for w in watch})
    snapshots: dict[int, Snapshot] = {}
    z = _seeded_z(tr, 2 * judge.n_classes, seed=0)                                       # [2K, latent]: two z's per class
    z = torch.cat([z[:1].expand(judge.n_classes, -1), z[1:2].expand(judge.n_classes, -1)])

    def look(t: Trainer) -> None:
        if t.state.step in watch:
            labels = torch.arange(judge.n_classes).repeat(2)
            snapshots[t.state.step] = Snapshot(t.state.step, steering(t, judge, per_class=50),
                                               variety(t, judge, per_class=45), samples_of(t, labels, z=z))

    start = time.process_time()
    look(tr)
    progress(tr)
    with tr.attached(step_end=[look, progress]):
        tr.run(steps, progress=False)
    return Run(tr, judge, steps, time.process_time() - start, snapshots)


class Snapshot(NamedTuple):
    step: int
    steering: Steering           #: the judge's check at this step (50 samples per class)
    variety: float               #: :func:`variety` at this step (45 samples per class)
    images: torch.Tensor         #: G's digits 0..K-1 for one fixed z, then for a second [2K, C, H, W]


# --------------------------------------------------------------------------- the one-hot is a learned vector per class
class OneHotAsVector(NamedTuple):
    difference: float           #: largest |W [z, onehot(y)] - (W_z z + w_y)| over the batch
    class_vectors: torch.Tensor  #: the w_y, one column of W per class [K, width]
    norms: list[float]          #: the length of each class vector


def one_hot_as_vector(G: models.ConditionalDCGenerator, n: int = 64, seed: int = 0) -> OneHotAsVector:
    """G's first layer computed two ways for ``n`` random (z, y): on the concatenated input ``[z, onehot(y)]``,
    and as ``W_z z`` plus the column ``w_y`` of W for class y (no one-hot at all). They agree to rounding: the
    one-hot picks a learned vector per class and adds it to the projection of z."""
    if not isinstance(G, models.ConditionalDCGenerator):
        raise TypeError(f"G must be a ConditionalDCGenerator, got {type(G).__name__}")
    g = torch.Generator().manual_seed(_check.integer("seed", seed, minimum=0))
    n = _check.positive_int("n", n)
    W = G.net.project.weight.detach().cpu()                                             # [width, latent + K]
    z = torch.randn(n, G.latent_dim, generator=g)                                       # [n, latent]
    y = torch.randint(G.n_classes, (n,), generator=g)                                   # [n]
    onehot = torch.nn.functional.one_hot(y, G.n_classes).float()                        # [n, K]
    concatenated = torch.cat([z, onehot], dim=1) @ W.T                                  # [n, width]
    w = W[:, G.latent_dim:].T                                                           # [K, width]: w_y per class
    added = z @ W[:, :G.latent_dim].T + w[y]                                            # [n, width]
    return OneHotAsVector(float((concatenated - added).abs().max()), w, w.norm(dim=1).tolist())


# --------------------------------------------------------------------------- sampling
def _seeded_z(trainer: Trainer, n: int, seed: int) -> torch.Tensor:
    return trainer.G.sample_noise(n, generator=torch.Generator().manual_seed(_check.integer("seed", seed, minimum=0))).cpu()


def samples_of(trainer: Trainer, labels, z: torch.Tensor | None = None, seed: int = 0) -> torch.Tensor:
    """G's samples [N, C, H, W] (its moving average when the trainer keeps one) for class ``labels`` (a tensor [N] of
    class indices); ``z`` [N, latent_dim] or noise drawn from ``seed``. Never changes the trainer."""
    if not isinstance(labels, torch.Tensor):
        raise TypeError(f"labels must be a tensor of class indices, got {type(labels).__name__}")
    z = _seeded_z(trainer, len(labels), seed) if z is None else z
    return trainer.sample(len(z), z=z, labels=labels)


def _balanced_labels(n_classes: int, per_class: int) -> torch.Tensor:
    return torch.arange(n_classes).repeat_interleave(per_class)                         # [0]*k, [1]*k, ...


# --------------------------------------------------------------------------- does G draw what it is asked for?
class Steering(NamedTuple):
    agreement: float            #: share of samples the judge puts in the requested class
    per_class: list[float]      #: the same, class by class
    confidence: float           #: the judge's mean confidence (largest probability) on G's samples
    real_confidence: float      #: ... on the held-out real digits
    confidence_ratio: float     #: confidence / real_confidence (about 1: as confidently classified as real digits)
    n: int                      #: samples judged

    def summary(self) -> str:
        worst = int(np.argmin(self.per_class))
        return (f"the judge agrees with the requested class for {self.agreement:.1%} of {self.n} samples "
                f"(lowest: class {worst}, {self.per_class[worst]:.0%}); mean confidence {self.confidence:.3f} on G's "
                f"samples, {self.real_confidence:.3f} on held-out real digits: ratio {self.confidence_ratio:.2f}")


def steering(trainer: Trainer, judge: judges_mod.Judge, per_class: int = 100, seed: int = 1) -> Steering:
    """Ask G for ``per_class`` samples of every class (noise from ``seed``) and let the judge name them."""
    per_class = _check.positive_int("per_class", per_class)
    labels = _balanced_labels(judge.n_classes, per_class)                              # [K * per_class]
    x = samples_of(trainer, labels, seed=seed)
    said = judge.proba(x).argmax(1)
    per = [float((said[labels == c] == c).float().mean()) for c in range(judge.n_classes)]
    conf = float(judges_mod.confidence(judge, x).mean())
    real = float(judges_mod.confidence(judge, judge.held_out_images).mean())
    return Steering(judges_mod.agreement(judge, x, labels), per, conf, real, conf / real, len(x))


def _spread(images: torch.Tensor) -> float:
    """Mean pixel distance between two different images of ``images`` [N, C, H, W] (N >= 2)."""
    d = torch.cdist(images.flatten(1).double(), images.flatten(1).double())              # [N, N], 0 on the diagonal
    return float(d.sum() / (len(images) * (len(images) - 1)))


def variety(trainer: Trainer, judge: judges_mod.Judge, per_class: int = 45, seed: int = 3) -> float:
    """How varied G's samples of one class are, next to real digits of that class: for every class, the mean
    pixel distance between two of G's ``per_class`` samples, divided by the same for the held-out real digits of
    the class, averaged over the classes. About 1: as varied as real handwriting; far below 1: G draws each class
    in few ways (what the judge's agreement and confidence cannot see)."""
    per_class = _check.integer("per_class", per_class, minimum=2)
    labels = _balanced_labels(judge.n_classes, per_class)
    x = samples_of(trainer, labels, seed=seed)
    held = judge.split.held_out
    return float(np.mean([_spread(x[labels == c]) / _spread(held.images[held.labels == c])
                          for c in range(judge.n_classes)]))


class DLabels(NamedTuple):
    right: float                #: D's mean probability "real" for held-out real digits with their own labels
    wrong: float                #: ... for the same digits, each presented as another class
    fakes: float                #: ... for G's samples, with the classes they were asked for

    def summary(self) -> str:
        return (f"D's mean probability of 'real': {self.right:.2f} for held-out real digits with their own label, "
                f"{self.wrong:.2f} for the same digits presented as another class, {self.fakes:.2f} for G's samples")


def d_uses_the_label(trainer: Trainer, judge: judges_mod.Judge, seed: int = 5) -> DLabels:
    """Does the trained (projection) D use the label? ``trainer.d_prob`` on the held-out real digits with their
    own labels, with a different label each (drawn from ``seed``), and on G's samples of the same classes."""
    x, y = judge.held_out_images, judge.held_out_labels
    g = torch.Generator().manual_seed(_check.integer("seed", seed, minimum=0))
    wrong = (y + torch.randint(1, judge.n_classes, y.shape, generator=g)) % judge.n_classes     # never the own class
    fakes = samples_of(trainer, y, seed=seed)
    return DLabels(*(float(trainer.d_prob(images, labels=labels).mean())
                     for images, labels in ((x, y), (x, wrong), (fakes, y))))


# --------------------------------------------------------------------------- the label is not one more noise dimension
class LabelVsNoise(NamedTuple):
    new_label: float            #: share of pairs whose judged digit changes when only the label changes (z fixed)
    new_z: float                #: ... when only z is redrawn (label fixed)
    nudge_z: float              #: ... when z moves by sqrt(2), as far as switching the one-hot moves G's input
    z_distance: float           #: mean distance between the old and the redrawn z (G's input moves this far)
    ink_correlation: float      #: mean correlation, over pairs of classes, of the ink a z puts on the page (nan if
    #:                             some class's ink is the same for every z)
    n: int

    def summary(self) -> str:
        return (f"the judged digit changes for {self.new_label:.0%} of samples when only the label changes, for "
                f"{self.new_z:.0%} when z is redrawn (z moves {self.z_distance:.1f} on average) and for "
                f"{self.nudge_z:.0%} when z moves by {np.sqrt(2):.2f}, as far as a label switch; the ink a z puts on "
                f"the page correlates {self.ink_correlation:.2f} between classes")


def label_vs_noise(trainer: Trainer, judge: judges_mod.Judge, n: int = 500, seed: int = 2) -> LabelVsNoise:
    """Change one input of G at a time, ``n`` times, and ask the judge whether the digit changed.

    * new label: G(z, y) against G(z, y') for a different class y' (z fixed): the one-hot moves by sqrt(2);
    * new z: G(z, y) against G(z', y) for a fresh z' (label fixed): z moves by about sqrt(2 * latent_dim);
    * nudged z: G(z, y) against G(z + sqrt(2) u, y) for a random unit vector u -- a move of z as large as
      the label switch, so "the label is one more input dimension" would predict the same change.
    Style: for ``n`` z's, the mean pixel value (ink) of G(z, y) in every class; if z sets the style, a z
    that writes heavily in one class does so in the others (a positive correlation between classes)."""
    n = _check.integer("n", n, minimum=10)
    g = torch.Generator().manual_seed(_check.integer("seed", seed, minimum=0))
    k = judge.n_classes
    z = trainer.G.sample_noise(n, generator=g).cpu()                                   # [n, latent]
    z_new = trainer.G.sample_noise(n, generator=g).cpu()
    u = torch.randn(z.shape, generator=g)
    z_nudged = z + np.sqrt(2) * u / u.norm(dim=1, keepdim=True)
    y = torch.randint(k, (n,), generator=g)
    y_new = (y + torch.randint(1, k, (n,), generator=g)) % k                         # a different class, uniform

    def named(zz, yy):
        return judge.proba(trainer.sample(n, z=zz, labels=yy)).argmax(1)

    base = named(z, y)
    changed = {name: float((named(zz, yy) != base).float().mean())
               for name, (zz, yy) in {"label": (z, y_new), "z": (z_new, y), "nudge": (z_nudged, y)}.items()}
    ink = torch.stack([trainer.sample(n, z=z, labels=c).mean(dim=(1, 2, 3)) for c in range(k)])   # [K, n]
    with np.errstate(invalid="ignore", divide="ignore"):          # a class whose ink never varies: no correlation (nan)
        corr = np.corrcoef(ink.numpy())
    mean_corr = float((corr.sum() - k) / (k * (k - 1)))
    return LabelVsNoise(changed["label"], changed["z"], changed["nudge"], float((z_new - z).norm(dim=1).mean()),
                        mean_corr, n)


def noise_walk(trainer: Trainer, label: int, z0: torch.Tensor, z1: torch.Tensor, steps: int = 9) -> torch.Tensor:
    """G's samples [steps, C, H, W] of class ``label`` along the straight line from ``z0`` to ``z1`` [latent_dim]."""
    a = torch.linspace(0, 1, _check.integer("steps", steps, minimum=2))[:, None]       # [steps, 1]
    z = (1 - a) * z0[None] + a * z1[None]                                               # [steps, latent]
    return trainer.sample(len(z), z=z, labels=int(label))


def style_grid(trainer: Trainer, n_z: int = 10, seed: int = 4) -> torch.Tensor:
    """G's samples for ``n_z`` fixed z's in every class, [K * n_z, C, H, W]: row y holds class y, column j
    the same z_j in every row (so a column shows one handwriting across the digits)."""
    k = trainer.n_classes
    z = _seeded_z(trainer, _check.positive_int("n_z", n_z), seed)                      # [n_z, latent]
    return samples_of(trainer, torch.arange(k).repeat_interleave(n_z), z=z.repeat(k, 1))


def label_or_noise_outcome(result: LabelVsNoise) -> str:
    """The option of the prediction 09-label-or-noise that ``result`` shows: "label" (a new label changes the
    digit far more often than a new z), "z" (the other way round), "both" (about equally) or "neither"."""
    if max(result.new_label, result.new_z) < 0.2:
        return "neither"
    if result.new_label > 2 * result.new_z:
        return "label"
    if result.new_z > 2 * result.new_label:
        return "z"
    return "both"


# --------------------------------------------------------------------------- does it copy its class's training images?
class Copying(NamedTuple):
    check: ev.Memorisation      #: all samples against the whole training split, with held-out reals as yardstick
    per_class_ratio: list[float]  #: class by class: median distance to the closest training image *of that class*,
    #:                               G's samples / held-out real digits of the class (about 1: no closer than new digits)
    samples: torch.Tensor       #: the samples checked [N, C, H, W]
    labels: torch.Tensor        #: the classes they were asked for [N]

    def summary(self) -> str:
        return (f"{self.check.summary()}; median distance to the closest training digit: G's samples "
                f"{self.check.median_ratio:.2f} x held-out real digits' (class by class "
                f"{min(self.per_class_ratio):.2f} to {max(self.per_class_ratio):.2f} x)")


def copying(trainer: Trainer, judge: judges_mod.Judge, per_class: int = 45, seed: int = 3) -> Copying:
    """The memorisation check for a conditional G: ``per_class`` samples of every class against the training
    split G learnt from, with the held-out real digits (never trained on) as the yardstick -- for all classes
    together, and class by class against that class's own training digits (where a G that could "only copy that
    class's images" would show it most)."""
    per_class = _check.positive_int("per_class", per_class)
    labels = _balanced_labels(judge.n_classes, per_class)
    x = samples_of(trainer, labels, seed=seed)
    train, held = judge.split.train, judge.split.held_out
    check = ev.memorisation_check(x, train.images, held.images)
    ratios = []
    for c in range(judge.n_classes):
        mine = ev.nearest_training(x[labels == c], train.images[train.labels == c]).distance
        real = ev.nearest_training(held.images[held.labels == c], train.images[train.labels == c]).distance
        ratios.append(float(mine.median() / real.median()))
    return Copying(check, ratios, x, labels)


# --------------------------------------------------------------------------- no labels: clusters instead
class SelfConditioned(NamedTuple):
    trainer: Trainer            #: trained on ``trainer.data``: the judge's training split with k-means clusters as labels
    purity: float               #: share of training digits in a cluster whose most common digit is their own
    samples: torch.Tensor       #: samples, the clusters drawn at their shares of the training digits [N, C, H, W]
    confidence_ratio: float     #: the judge's mean confidence on the samples / on the held-out real digits
    confident: float            #: share of samples the judge gives >= 0.9
    real_confident: float       #: the same share for the held-out real digits
    classes: int                #: digits the judge finds in at least 1 % of the samples
    check: ev.Memorisation      #: the copying check: samples against the training split, held-out digits as yardstick
    cpu_seconds: float          #: CPU time of the training

    @property
    def clusters(self) -> int:
        return self.trainer.n_classes

    def summary(self) -> str:
        return (f"{self.clusters} clusters, {self.purity:.0%} of the training digits in a cluster whose most common "
                f"digit is their own; {len(self.samples)} samples: confidence ratio {self.confidence_ratio:.3f}, "
                f"{self.confident:.0%} named with probability 0.9 or more (held-out real digits: "
                f"{self.real_confident:.0%}), "
                f"{self.classes} of 10 digits; copying check: {self.check.share:.1%} flagged, median distance "
                f"{self.check.median_ratio:.2f} x the held-out digits'")


def self_conditioned(judge: judges_mod.Judge, seed: int = 0, steps: int = STEPS, clusters: int = digits_preset.SELF_CLUSTERS,
                     n: int = 1000, on_progress: Callable | None = None, every: int = 50) -> SelfConditioned:
    """Train the conditional networks of :func:`build_trainer` (without the moving average) on ``clusters`` k-means
    clusters of the judge's training split (never its labels), for ``steps`` steps, and judge ``n`` samples drawn
    at the clusters' shares. ``on_progress(trainer, steps)`` as in :func:`train`."""
    if not isinstance(judge, judges_mod.Judge):
        raise TypeError(f"judge must be the Judge from judges.independent_classifier(), got {type(judge).__name__}")
    seed = _check.integer("seed", seed, minimum=0)
    steps = _check.integer("steps", steps, minimum=2)
    n = _check.positive_int("n", n)
    clusters = _check.integer("clusters", clusters, minimum=2)
    progress = progress_reporter(on_progress, every, steps)
    digits = judge.split.train
    data = data_mod.clustered(digits, clusters, seed=seed)
    k = len(data.classes)
    tr = _trainer(data, seed, steps, ema=0.0)
    start = time.process_time()
    progress(tr)
    with tr.attached(step_end=progress):
        tr.run(steps, progress=False)
    cpu = time.process_time() - start
    purity = sum(int(torch.bincount(digits.labels[data.labels == j]).max()) for j in range(k)) / len(digits)
    noise = torch.Generator().manual_seed(seed + 1000)
    x = tr.sample(n, generator=noise, labels=data.draw_labels(n, generator=noise))
    conf, real = judges_mod.confidence(judge, x), judges_mod.confidence(judge, judge.held_out_images)
    counts = torch.bincount(judge.proba(x).argmax(dim=1), minlength=judge.n_classes)
    return SelfConditioned(tr, purity, x, float(conf.mean() / real.mean()), float((conf >= 0.9).float().mean()),
                           float((real >= 0.9).float().mean()), int((counts >= max(1, n // 100)).sum()),
                           ev.memorisation_check(x, digits.images, judge.held_out_images), cpu)
