r"""A small digit classifier, and the class-coverage score it gives a generator (lesson 07).

Looking at a grid of samples tells you little about a generator: the eye is drawn to the
good ones, and 64 samples cannot show that a class is missing or over-represented. So we
ask a *judge* that never saw the generator: a tiny CNN trained on the real digits.

* :func:`train_classifier` -- trains :class:`DigitClassifier` on a stratified, seeded split
  of an image set (seconds on a CPU; the same seed gives the same weights) and reports
  its accuracy on the held-out part.
* :func:`class_coverage` -- from the classifier's probabilities on generated samples:

  - ``classes``: how many classes receive at least ``min_count`` *confidently* classified
    samples (max softmax >= ``threshold``);
  - ``confident``: the share of samples classified confidently (recognisable digits);
  - ``kl``: :math:`KL(\hat p \,\|\, U) = \sum_k \hat p_k \log(K \hat p_k)`, the divergence of
    the histogram of predicted classes :math:`\hat p` from uniform over the :math:`K` classes:
    0 when every class is made equally often, :math:`\log K` when G makes one class only
    (:math:`\log 10 \approx 2.30`); :math:`\log(K/m)` when it makes :math:`m` classes equally.

  This is the 10-class version of the mode count on stacked MNIST (Metz et al. 2017,
  unrolled GANs; Srivastava et al. 2017, VEEGAN), where a classifier labels each of 1000
  possible modes.
* :func:`evaluate_generator` -- samples a trainer (or a generator) and scores it.

What it does **not** measure: diversity *within* a class (ten copies of one good "3" score as
well as ten different ones), sharpness beyond what changes the classifier's confidence, or
whether a sample is a copy of a training image. A classifier can also be fooled: images that
look like nothing to you can get a confident label.
"""
from __future__ import annotations

import math
from collections import OrderedDict
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .. import _check
from .. import data as data_mod
from ..models import eval_mode
from .generator import check_generator, collapsed_noise, generator_output

__all__ = ["DigitClassifier", "TrainedClassifier", "split_indices", "HeldOut", "hold_out", "train_classifier", "predict_proba",
           "check_classifier", "top_labels", "ClassCoverage", "class_coverage", "evaluate_generator", "kl_to_uniform",
           "format_scores", "latent_for_class", "labels_along", "copycat_samples", "FakeCollapse", "fake_collapse", "CopycatScore",
           "score_copycat"]


class DigitClassifier(nn.Module):
    """images [N, C, H, W] in [-1, 1] -> logits [N, n_classes].

    Two 3x3 convolutions (the second with stride 2 halves the size), an average pool to
    4x4 (so 8x8 digits and 28x28 MNIST both work) and one linear layer."""

    def __init__(self, channels: int = 1, n_classes: int = 10, features: int = 16):
        super().__init__()
        self.channels = _check.positive_int("channels", channels)
        self.n_classes = _check.integer("n_classes", n_classes, minimum=2)
        f = _check.positive_int("features", features)
        self.config = dict(channels=channels, n_classes=n_classes, features=features)
        self.net = nn.Sequential(OrderedDict([
            ("conv1", nn.Conv2d(channels, f, 3, 1, 1)),              # [N, f, H, W]
            ("relu1", nn.ReLU()),
            ("conv2", nn.Conv2d(f, 2 * f, 3, 2, 1)),                 # [N, 2f, H/2, W/2]
            ("relu2", nn.ReLU()),
            ("pool", nn.AdaptiveAvgPool2d(4)),                       # [N, 2f, 4, 4]
            ("flatten", nn.Flatten()),                               # [N, 32f]
            ("out", nn.Linear(2 * f * 16, n_classes)),               # [N, n_classes]: logits
        ]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class TrainedClassifier(NamedTuple):
    model: DigitClassifier     #: the trained network (eval mode)
    accuracy: float            #: accuracy on the held-out images
    train_idx: torch.Tensor    #: indices of the training images in the image set
    test_idx: torch.Tensor     #: indices of the held-out images
    test_images: torch.Tensor  #: the held-out images [M, C, H, W]
    test_labels: torch.Tensor  #: their labels [M]

    def proba(self, images: torch.Tensor) -> torch.Tensor:
        """Class probabilities [N, n_classes] for ``images`` (see :func:`predict_proba`)."""
        return predict_proba(self.model, images)

    def coverage(self, images: torch.Tensor, threshold: float = 0.9, min_count: int = 1) -> ClassCoverage:
        """:func:`class_coverage` of ``images``."""
        return class_coverage(self.proba(images), threshold=threshold, min_count=min_count)


def _check_images(name: str, images) -> torch.Tensor:
    if not isinstance(images, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor [N, C, H, W], got {type(images).__name__}")
    if images.ndim != 4 or images.shape[0] < 1:
        raise ValueError(f"{name} must have shape [N, C, H, W] with N >= 1, got {tuple(images.shape)}")
    return images.float()


def split_indices(labels, test_fraction: float = 0.25, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """A stratified random split: ``test_fraction`` of each class is held out (at least one
    image per class). Returns ``(train_idx, test_idx)``, sorted; the same seed gives the same split."""
    labels = torch.as_tensor(labels)
    if labels.ndim != 1 or labels.numel() < 2:
        raise ValueError(f"labels must be a 1D tensor of at least 2 class labels, got shape {tuple(labels.shape)}")
    test_fraction = _check.number("test_fraction", test_fraction, minimum=0.0, strict_min=True, maximum=0.9)
    g = torch.Generator().manual_seed(_check.integer("seed", seed, minimum=0))
    train, test = [], []
    for c in sorted(set(labels.tolist())):
        idx = torch.nonzero(labels == c).flatten()
        idx = idx[torch.randperm(len(idx), generator=g)]
        k = max(1, round(test_fraction * len(idx))) if len(idx) > 1 else 0
        test.append(idx[:k])
        train.append(idx[k:])
    return torch.cat(train).sort().values, torch.cat(test).sort().values


class HeldOut(NamedTuple):
    train: data_mod.ImageSet       #: what G (through D) and the classifier learn from
    held_out: data_mod.ImageSet    #: never trained on: the classifier's test set, the memorisation check's yardstick
    train_idx: torch.Tensor        #: indices of ``train`` in the full image set
    held_out_idx: torch.Tensor     #: indices of ``held_out`` in the full image set


def hold_out(data: data_mod.ImageSet, test_fraction: float = 0.25, seed: int = 0) -> HeldOut:
    """Split an image set in two: ``train`` to learn from and ``held_out``, never trained on. The
    split is :func:`split_indices` of the labels, the very split :func:`train_classifier` makes with
    the same ``test_fraction`` and ``seed``: the classifier is tested on the images G never trained on."""
    if not isinstance(data, data_mod.ImageSet):
        raise TypeError(f"data must be an image set with labels (e.g. ge.data.digits()), got {type(data).__name__}")
    train_idx, test_idx = split_indices(data.labels, test_fraction, seed)
    return HeldOut(data_mod.subset(data, train_idx, "training part"), data_mod.subset(data, test_idx, "held-out part"),
                   train_idx, test_idx)


def train_classifier(data: data_mod.ImageSet, epochs: int = 20, batch_size: int = 64, lr: float = 3e-3,
                     test_fraction: float = 0.25, seed: int = 0, features: int = 16,
                     weight_decay: float = 1e-4) -> TrainedClassifier:
    """Train a :class:`DigitClassifier` on ``data`` (an image set with labels, e.g.
    ``ge.data.digits()``) and measure it on a held-out split.

    ``epochs`` passes over the training part with Adam and cross-entropy. Everything random
    (split, initial weights, batch order) comes from ``seed``, and the global random state is
    left untouched, so the result is the same every time. On the 8x8 digits it takes 2-3
    seconds on one CPU thread and reaches about 98 % held-out accuracy. (20 epochs: where the
    held-out cross-entropy stops improving. Longer training makes the classifier more sure of
    everything, generated samples and noise included, so "confidently classified" depends on
    this choice: compare generators with the same classifier.)"""
    if not isinstance(data, data_mod.ImageSet):
        raise TypeError(f"data must be an image set with labels (e.g. ge.data.digits()), got {type(data).__name__}")
    epochs = _check.positive_int("epochs", epochs)
    batch_size = _check.positive_int("batch_size", batch_size)
    lr = _check.positive("lr", lr)
    weight_decay = _check.number("weight_decay", weight_decay, minimum=0.0)
    seed = _check.integer("seed", seed, minimum=0)
    train_idx, test_idx = split_indices(data.labels, test_fraction, seed)
    classes = data.classes
    if classes != list(range(len(classes))):
        raise ValueError(f"data's labels must be 0 .. K-1, got classes {classes}")
    x, y = data.images[train_idx].float(), data.labels[train_idx]
    with torch.random.fork_rng(devices=[]):          # leave the caller's random state alone
        torch.manual_seed(seed)
        model = DigitClassifier(channels=data.shape[0], n_classes=len(classes), features=features)
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=g)
        for start in range(0, len(x), batch_size):
            b = order[start:start + batch_size]
            loss = F.cross_entropy(model(x[b]), y[b])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    model.eval()
    test_images, test_labels = data.images[test_idx].float(), data.labels[test_idx]
    accuracy = float((predict_proba(model, test_images).argmax(1) == test_labels).float().mean())
    return TrainedClassifier(model, accuracy, train_idx, test_idx, test_images, test_labels)


@torch.no_grad()
def predict_proba(model: nn.Module, images: torch.Tensor, batch_size: int = 1024) -> torch.Tensor:
    """softmax(model(images)): class probabilities [N, n_classes], in eval mode, on the CPU."""
    if isinstance(model, TrainedClassifier):
        model = model.model
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a classifier (an nn.Module), got {type(model).__name__}")
    images = _check_images("images", images)
    with eval_mode(model):
        dev = next(model.parameters()).device
        out = [F.softmax(model(images[i:i + batch_size].to(dev)), dim=1).cpu() for i in range(0, len(images), batch_size)]
    return torch.cat(out)


def check_classifier(classifier):
    """``classifier`` if it is None, a :class:`TrainedClassifier` or a classifier module, else TypeError."""
    if classifier is not None and not isinstance(classifier, (TrainedClassifier, nn.Module)):
        raise TypeError(f"classifier must be None, a TrainedClassifier or a classifier module, got {type(classifier).__name__}")
    return classifier


def top_labels(classifier, images: torch.Tensor) -> list[tuple[int, float]]:
    """(most probable class, its probability) for each image; [] when ``classifier`` is None."""
    if classifier is None:
        return []
    top, pred = predict_proba(classifier, images).max(1)
    return [(int(c), float(p)) for c, p in zip(pred, top)]


class ClassCoverage(NamedTuple):
    classes: int             #: classes with at least ``min_count`` confidently classified samples
    confident: float         #: share of samples with max probability >= threshold
    kl: float                #: KL(histogram of predicted classes || uniform), nats; 0 = balanced, log K = one class
    counts: np.ndarray       #: confidently classified samples per class
    histogram: np.ndarray    #: share of all samples predicted as each class (sums to 1)
    n: int                   #: number of samples scored
    threshold: float         #: the confidence threshold used

    def summary(self) -> str:
        k = len(self.histogram)
        return (f"{self.classes} of {k} classes covered, {100 * self.confident:.0f} % classified confidently "
                f"(max p >= {self.threshold:g}), KL to uniform {self.kl:.3f} nats (one class only: {math.log(k):.2f})")


def kl_to_uniform(histogram) -> float:
    r""":math:`KL(p \| U_K) = \sum_k p_k \log(K p_k)` for a histogram over K classes (counts or shares)."""
    p = np.asarray(histogram, dtype=np.float64).ravel()
    if p.size < 1 or (p < 0).any() or p.sum() <= 0:
        raise ValueError(f"histogram must be non-negative counts with a positive sum, got {histogram!r}")
    p = p / p.sum()
    m = p > 0
    return float(np.sum(p[m] * np.log(p.size * p[m])))


def class_coverage(probs, threshold: float = 0.9, min_count: int = 1) -> ClassCoverage:
    """Score samples from the classifier's probabilities ``probs`` [N, K] (rows sum to 1).

    Each sample's class is its most probable one; it is *confident* if that probability is
    at least ``threshold``. A class is *covered* if at least ``min_count`` samples are
    confidently classified as it. See the module docstring for what this does and does not measure."""
    p = probs.detach().cpu().double() if isinstance(probs, torch.Tensor) else torch.as_tensor(np.asarray(probs, dtype=np.float64))
    if p.ndim != 2 or p.shape[0] < 1 or p.shape[1] < 2:
        raise ValueError(f"probs must have shape [N, K] with N >= 1 samples and K >= 2 classes, got {tuple(p.shape)}")
    rows_sum_to_1 = bool(((p.sum(1) - 1).abs() <= 1e-3).all())
    if not bool(torch.isfinite(p).all()) or bool((p < 0).any()) or not rows_sum_to_1:
        raise ValueError("probs must be probabilities: finite, non-negative, each row summing to 1 (apply softmax to logits)")
    threshold = _check.number("threshold", threshold, minimum=0.0, strict_min=True, maximum=1.0)
    min_count = _check.positive_int("min_count", min_count)
    k = p.shape[1]
    top, pred = p.max(1)
    sure = top >= threshold
    counts = np.bincount(pred[sure].numpy(), minlength=k)
    hist = np.bincount(pred.numpy(), minlength=k) / len(pred)
    return ClassCoverage(int((counts >= min_count).sum()), float(sure.double().mean()), kl_to_uniform(hist),
                         counts, hist, int(len(pred)), threshold)


def format_scores(scores: dict) -> str:
    """A text table of ``{name: ClassCoverage}``: classes covered, share confidently classified and KL
    to uniform, one row each, with a line saying what the columns mean (short lines: they never wrap)."""
    if not isinstance(scores, dict) or not scores or not all(isinstance(c, ClassCoverage) for c in scores.values()):
        raise ValueError("scores must be a non-empty dict {name: ClassCoverage}")
    first = next(iter(scores.values()))
    k, width = len(first.histogram), max(len(str(name)) for name in scores)
    lines = [f"{'':<{width}}  classes  confident  KL to uniform"]
    lines += [f"{name!s:<{width}}  {c.classes:>2} / {k:<2}  {100 * c.confident:>7.0f} %  {c.kl:>13.3f}"
              for name, c in scores.items()]
    lines.append(f"(confident: top probability >= {first.threshold:g}; KL of a single class: log {k} = {math.log(k):.2f})")
    return "\n".join(lines)


def evaluate_generator(source, classifier, n: int = 1000, seed: int = 0, threshold: float = 0.9,
                       min_count: int = 1, labels=None) -> ClassCoverage:
    """Draw ``n`` samples from ``source`` (a Trainer, via ``trainer.sample``, or a generator,
    in eval mode) with noise seeded by ``seed`` and score them with ``classifier``
    (a :class:`TrainedClassifier` or a classifier module). ``labels``: the classes a conditional
    trainer draws (see ``trainer.sample``)."""
    n = _check.positive_int("n", n)
    seed = _check.integer("seed", seed, minimum=0)
    g = torch.Generator().manual_seed(seed)
    if hasattr(source, "sample") and hasattr(source, "G"):
        images = source.sample(n, generator=g, labels=labels)
    elif labels is not None:
        raise ValueError("labels= needs a Trainer as the source (a generator alone is sampled without classes)")
    elif isinstance(source, nn.Module) and isinstance(getattr(source, "latent_dim", None), int):
        images = generator_output(source, source.sample_noise(n, generator=g))
    else:
        raise TypeError(f"source must be a Trainer or a gan_edu generator, got {type(source).__name__}")
    return class_coverage(predict_proba(classifier, images), threshold=threshold, min_count=min_count)


@torch.no_grad()
def latent_for_class(G, classifier, digit: int, n: int = 512, seed: int = 0) -> torch.Tensor:
    """A noise vector z [latent_dim] whose G(z) the classifier puts in class ``digit`` most
    confidently, among ``n`` draws of G's noise seeded by ``seed`` (for a latent walk from one
    digit to another). Raises ``ValueError`` if none of the ``n`` samples is classified as ``digit``."""
    G = check_generator(G)
    n = _check.positive_int("n", n)
    z = G.sample_noise(n, generator=torch.Generator().manual_seed(_check.integer("seed", seed, minimum=0))).cpu()
    probs = predict_proba(classifier, generator_output(G, z))
    digit = _check.integer("digit", digit, minimum=0, maximum=probs.shape[1] - 1)
    mine = probs.argmax(1) == digit
    if not bool(mine.any()):
        raise ValueError(f"none of the {n} samples of G is classified as {digit}; G may not make this class "
                         "(try a larger n or another digit)")
    return z[torch.where(mine, probs[:, digit], torch.tensor(-1.0, dtype=probs.dtype)).argmax()].clone()


@torch.no_grad()
def labels_along(G, classifier, z0: torch.Tensor, z1: torch.Tensor, steps: int = 41) -> tuple[list[int], list[float]]:
    """The classifier's label and its probability for G at ``steps`` evenly spaced points of the straight
    walk from ``z0`` to ``z1`` (ends included): where along a walk the label flips, and how sure it is there."""
    G = check_generator(G)
    steps = _check.integer("steps", steps, minimum=2)
    a = torch.linspace(0, 1, steps).unsqueeze(1)
    z = (1 - a) * z0.detach().cpu().reshape(1, -1) + a * z1.detach().cpu().reshape(1, -1)
    top, pred = predict_proba(classifier, generator_output(G, z)).max(1)
    return pred.tolist(), top.tolist()


def copycat_samples(data: data_mod.ImageSet, classifier: TrainedClassifier, n: int = 1000, seed: int = 0) -> torch.Tensor:
    """What a cheating "generator" that memorised ONE training image per class would output:
    ``n`` samples, each one of those images chosen uniformly at random. For each class it copies
    the training image the classifier is surest about. (A thought experiment: what the
    class-coverage score cannot see.)"""
    if not isinstance(data, data_mod.ImageSet):
        raise TypeError(f"data must be an image set, got {type(data).__name__}")
    if not isinstance(classifier, TrainedClassifier):
        raise TypeError(f"classifier must be a TrainedClassifier (from train_classifier), got {type(classifier).__name__}")
    n = _check.positive_int("n", n)
    idx = classifier.train_idx
    probs = classifier.proba(data.images[idx])
    chosen = []
    for c in data.classes:
        mine = data.labels[idx] == c
        chosen.append(int(idx[torch.where(mine, probs[:, c], torch.tensor(-1.0)).argmax()]))
    pick = torch.randint(len(chosen), (n,), generator=torch.Generator().manual_seed(_check.integer("seed", seed, minimum=0)))
    return data.images[torch.tensor(chosen)[pick]].clone()


# --------------------------------------------------------------------------- the lesson's two predictions
class FakeCollapse(NamedTuple):
    samples: torch.Tensor       #: the collapsed G's samples [n, C, H, W]
    coverage: ClassCoverage     #: their score

    @property
    def outcome(self) -> str:
        """The option of checkpoint 07-collapse this run shows: "all" (9 or more classes), "one" (1 or
        none), else "few-sure" or "few-unsure" (most samples confidently classified, or not)."""
        c = self.coverage
        if c.classes >= len(c.histogram) - 1:
            return "all"
        if c.classes <= 1:
            return "one"
        return "few-sure" if c.confident >= 0.5 else "few-unsure"


def fake_collapse(G, classifier, n: int = 1000, points: int = 3, spread: float = 0.2, seed: int = 0,
                  min_count: int = 10) -> FakeCollapse:
    """Imitate a collapsed generator with a trained one: it may only use noise close to ``points``
    points of its latent space, :math:`z = z_k + \\text{spread}\\,\\varepsilon`
    (:func:`~gan_edu.lessons.generator.collapsed_noise`, seeded), and score ``n`` such samples.
    G is only read: the same G and seed give the same result every time."""
    G = check_generator(G)
    samples = generator_output(G, collapsed_noise(G, n, points=points, spread=spread, seed=seed))
    return FakeCollapse(samples, class_coverage(predict_proba(classifier, samples), min_count=min_count))


class CopycatScore(NamedTuple):
    samples: torch.Tensor       #: the copycat's samples [n, C, H, W]
    coverage: ClassCoverage     #: their score
    distinct: int               #: how many different images there are among them

    @property
    def outcome(self) -> str:
        """The option of checkpoint 07-ten-copies this run shows: "perfect" (every class, >= 90 %
        confident, KL < 0.05), "bad" (half the classes or fewer, or under 50 % confident), else "middle"."""
        c = self.coverage
        if c.classes == len(c.histogram) and c.confident >= 0.9 and c.kl < 0.05:
            return "perfect"
        return "bad" if c.classes <= len(c.histogram) // 2 or c.confident < 0.5 else "middle"


def score_copycat(data: data_mod.ImageSet, classifier: TrainedClassifier, n: int = 1000, seed: int = 0,
                  min_count: int = 10) -> CopycatScore:
    """Score :func:`copycat_samples` (one training image per class, returned at random) like a generator."""
    samples = copycat_samples(data, classifier, n=n, seed=seed)
    return CopycatScore(samples, classifier.coverage(samples, min_count=min_count),
                        len(torch.unique(samples.flatten(1), dim=0)))
