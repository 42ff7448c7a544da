r"""The metrics lab (lesson 10): corrupt real digits on purpose and watch which metric notices.

A perfect generator would make new digits exactly like the real ones. Real digits that nobody
trained on are the closest thing we have, so they stand in for it. We then spoil them in
controlled ways -- each corruption imitates one way a GAN fails -- and score every version with
every metric of :mod:`gan_edu.evaluation`. What responds, measured on seeds 0-9 (the tests check it):

    corruption             imitates                          responds                      does not
    blur, sigma 0.5-1 px   washed-out digits                 FD, KID, recall; precision    precision at 0.5 (it
                                                             and coverage from 0.75        rises a little)
    noise, std 0.1-0.5     speckled digits                   precision, density,           recall; anything at 0.1
                                                             coverage; FD, KID from 0.25
    drop digits 3 and 8    a G that never makes two digits   recall, coverage, classes,    precision, density;
                                                             class KL, FD (1.3-2.3x)       KID barely
    collapse to 100 / 10   mode collapse inside every digit  recall, coverage, FD          classes and class KL
                                                                                           (at 100); KID barely
    copy training images   memorisation                      the memorisation check only   FD, KID, PRDC, classes
                                                                                           (FD to train improves)

The images (scikit-learn's 1797 digits, :func:`gan_edu.data.digits`) are split with the
classifier's stratified :func:`~gan_edu.lessons.classifier.split_indices`:

* **train** -- the classifier's training split: what an imagined G was trained on (and what the
  memorisation check compares against);
* the held-out split, halved at random:
  **probe** -- stands in for the perfect G and is what the lab corrupts;
  **reference** -- the real set every metric compares against, and the held-out real images of
  the memorisation check.

  (At random, not stratified by digit: with exactly equal digit counts in both halves, two images
  of one half are a little less often the same digit than one image from each half, and KID's
  unbiased estimate drops below 0 -- by about 1 standard deviation here, on every seed we tried.)

Probe and reference are the same size and both unseen by the classifier, so the uncorrupted
row is the real-vs-real baseline of every metric at this size. Features are the penultimate
activations of the classifier (:func:`gan_edu.evaluation.penultimate_features`).

    setup = metrics_lab.prepare(seed=0)          # trains the classifier (a few seconds)
    rows = metrics_lab.run(setup)                # one dict per corruption, every metric
    print(metrics_lab.format_table(rows))
    print(metrics_lab.response_table(rows))      # which metric noticed which corruption (NOTICE's thresholds)
    metrics_lab.score(my_generated_images, setup)   # the same numbers for a generator's samples

Lesson 10 also uses :func:`baseline_by_n` (what a perfect generator scores at each sample size: FD's bias),
:func:`train_generator` (lesson 07's DCGAN trained on the training split only, so probe and reference stay
new to it), :func:`closest_pairs` (the memorisation check, shown) and :func:`copy_outcome` (its prediction).
``gan-edu evaluate`` uses :func:`memorisation_against_all` for generators trained on every digit.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import NamedTuple

import torch
import torch.nn.functional as F

from .. import _check
from .. import data as data_mod
from .. import evaluation as ev
from . import classifier as clf_mod
from .factory import progress_reporter

__all__ = ["LabSetup", "prepare", "score", "Corruption", "corruptions", "run", "format_table", "METRICS",
           "blur", "add_noise", "drop_classes", "collapse", "copy_training", "NOTICE", "noticed", "response_table",
           "copy_outcome", "ball_radius", "baseline_by_n", "training_set", "TrainedGenerator", "train_generator",
           "NearestPairs", "closest_pairs", "memorisation_against_all"]

#: the metric columns of a row, in table order, with what each one says (lesson 10 prints this)
METRICS = {
    "fd": "Fréchet distance to the reference (classifier features; lower = closer)",
    "fd_train": "Fréchet distance to the training images (copies score best here)",
    "kid": "kernel distance KID to the reference (unbiased; about 0 for matching sets)",
    "kid_std": "spread of KID over subsets",
    "precision": "share of samples on the real manifold (quality)",
    "recall": "share of real images on the samples' manifold (diversity)",
    "density": "how many real neighbourhoods hold each sample, / k (about 1 for matching sets)",
    "coverage": "share of real neighbourhoods holding a sample",
    "classes": "digit classes made confidently (p >= 0.9) by at least 1 % of the samples",
    "class_kl": "KL of the predicted class histogram from the reference's (nats)",
    "memorised": "share of samples closer to a training image than 95 % of held-out reals are",
    "exact_copies": "share of samples identical to a training image",
}


# --------------------------------------------------------------------------- the set-up
@dataclass(frozen=True)
class LabSetup:
    """Everything the lab compares against, computed once by :func:`prepare`."""
    data: data_mod.ImageSet
    classifier: clf_mod.TrainedClassifier
    train_images: torch.Tensor        #: [T, 1, 8, 8] the classifier's training split
    probe_images: torch.Tensor        #: [P, 1, 8, 8] held-out half that stands in for a perfect G
    probe_labels: torch.Tensor        #: [P]
    reference_images: torch.Tensor    #: [R, 1, 8, 8] held-out half every metric compares against
    reference_labels: torch.Tensor    #: [R]
    reference_features: torch.Tensor  #: [R, d] penultimate classifier features of the reference
    reference_fit: ev.GaussianFit     #: their mean and covariance (for FD)
    train_fit: ev.GaussianFit         #: mean and covariance of the training images' features
    reference_probs: torch.Tensor     #: [R, K] the classifier's probabilities on the reference
    seed: int
    reference_idx: torch.Tensor | None = None   #: [R] the reference's indices in ``data``

    @property
    def n(self) -> int:
        """How many samples to score a generator with, so its row compares with the lab's table."""
        return len(self.probe_images)


def prepare(data: data_mod.ImageSet | None = None, classifier: clf_mod.TrainedClassifier | None = None,
            seed: int = 0, test_fraction: float = 0.5) -> LabSetup:
    """Split ``data`` (default: the 8x8 digits), train the classifier on the training split
    (unless ``classifier``, a :class:`~gan_edu.lessons.classifier.TrainedClassifier` trained on
    ``data``, is given: its split is used) and compute the reference's features once.

    ``test_fraction`` of each class is held out (half as probe, half as reference; ignored when
    ``classifier`` is given): 0.5 gives about 450 probe and 450 reference digits and a classifier of
    about 97 % accuracy."""
    data = data_mod.digits() if data is None else data
    if not isinstance(data, data_mod.ImageSet):
        raise TypeError(f"data must be an image set with labels (e.g. ge.data.digits()), got {type(data).__name__}")
    seed = _check.integer("seed", seed, minimum=0)
    if classifier is None:
        classifier = clf_mod.train_classifier(data, test_fraction=test_fraction, seed=seed)
    elif not isinstance(classifier, clf_mod.TrainedClassifier):
        raise TypeError(f"classifier must be a TrainedClassifier (from train_classifier), got {type(classifier).__name__}")
    elif int(classifier.test_idx.max()) >= len(data) or not torch.equal(data.images[classifier.test_idx].float(),
                                                                        classifier.test_images):
        raise ValueError("classifier was not trained on data: its held-out images are not data's images "
                         "(pass the image set it was trained on)")
    held = classifier.test_idx
    order = torch.randperm(len(held), generator=torch.Generator().manual_seed(seed))
    probe, reference = held[order[:len(held) // 2].sort().values], held[order[len(held) // 2:].sort().values]
    ref_images = data.images[reference].float()
    ref_features = ev.penultimate_features(classifier, ref_images)
    train_images = data.images[classifier.train_idx].float()
    return LabSetup(data, classifier, train_images, data.images[probe].float(), data.labels[probe], ref_images,
                    data.labels[reference], ref_features, ev.gaussian_fit(ref_features, "reference features"),
                    ev.gaussian_fit(ev.penultimate_features(classifier, train_images), "training features"),
                    classifier.proba(ref_images), seed, reference)


# --------------------------------------------------------------------------- scoring one image set
def _check_images(images, setup: LabSetup) -> torch.Tensor:
    if not isinstance(images, torch.Tensor):
        raise TypeError(f"images must be a torch.Tensor [N, C, H, W], got {type(images).__name__}")
    if images.ndim != 4 or tuple(images.shape[1:]) != tuple(setup.data.shape):
        raise ValueError(f"images must have shape [N, {', '.join(map(str, setup.data.shape))}] like the data, got {tuple(images.shape)}")
    bad = ~torch.isfinite(images.flatten(1)).all(1)
    if bool(bad.any()):
        raise ValueError(f"images contain NaN or infinite values in {int(bad.sum())} of {len(images)} samples "
                         f"(G produced NaN samples -- training diverged)")
    return images.detach().cpu().float()


def score(images: torch.Tensor, setup: LabSetup, k: int = 5, kid_subset_size: int = 200, kid_subsets: int = 50,
          space: str = "pixels", seed: int = 0, class_threshold: float = 0.9, class_min_share: float = 0.01) -> dict:
    """Every metric of ``images`` [N, C, H, W] in [-1, 1] (corrupted digits, or a generator's samples:
    use ``setup.n`` of them) against the set-up's reference, as one table row (keys: ``n`` and
    :data:`METRICS`).

    ``k``: neighbours for precision/recall/density/coverage; KID on ``kid_subsets`` subsets of
    ``kid_subset_size`` (capped at the smaller set); ``space``: ``"pixels"`` or ``"features"`` for the
    memorisation check's distances. A digit class is *covered* when at least ``class_min_share`` of the
    samples (at least one) are classified as it with probability >= ``class_threshold``: with a single
    sample, the classifier's rare confident mistake would cover a class that is not there."""
    images = _check_images(images, setup)
    space = _check.one_of("space", space, ("pixels", "features"))
    kid_subset_size = _check.integer("kid_subset_size", kid_subset_size, minimum=2)
    feats = ev.penultimate_features(setup.classifier, images)
    fd, kid = _fd_kid(feats, setup, kid_subset_size, kid_subsets, seed)
    pr = ev.prdc(setup.reference_features, feats, k=k)
    class_min_share = _check.number("class_min_share", class_min_share, minimum=0.0, maximum=1.0)
    classes = ev.class_balance(setup.classifier.proba(images), setup.reference_probs, threshold=class_threshold,
                               min_count=max(1, math.ceil(class_min_share * len(images))))
    mem = ev.memorisation_check(images, setup.train_images, setup.reference_images,
                                model=setup.classifier if space == "features" else None)
    return {"n": len(images), "fd": fd,
            "fd_train": ev.frechet_distance(setup.train_fit, feats), "kid": kid.mean, "kid_std": kid.std,
            "precision": pr.precision, "recall": pr.recall, "density": pr.density, "coverage": pr.coverage,
            "classes": classes.classes, "class_kl": classes.kl, "memorised": mem.share, "exact_copies": mem.exact_copies}


def _fd_kid(feats: torch.Tensor, setup: LabSetup, kid_subset_size: int = 200, kid_subsets: int = 50,
            seed: int = 0) -> tuple[float, ev.KernelDistance]:
    """FD and KID of sample features against the set-up's reference (how :func:`score` and
    :func:`baseline_by_n` measure them)."""
    kid = ev.kernel_distance(setup.reference_features, feats, subsets=kid_subsets, seed=seed,
                             subset_size=min(kid_subset_size, len(feats), len(setup.reference_features)))
    return ev.frechet_distance(setup.reference_fit, feats), kid


# --------------------------------------------------------------------------- corruptions
def blur(images: torch.Tensor, sigma: float) -> torch.Tensor:
    """Gaussian blur of ``sigma`` pixels (separable, edges padded by repeating the border pixel)."""
    sigma = _check.positive("sigma", sigma)
    r = max(1, math.ceil(3 * sigma))
    t = torch.arange(-r, r + 1, dtype=torch.float64)
    w = torch.exp(-t ** 2 / (2 * sigma ** 2))
    w = (w / w.sum()).to(images.dtype)                           # [2r + 1], sums to 1
    c = images.shape[1]
    x = F.pad(images, (r, r, r, r), mode="replicate")             # [N, C, H + 2r, W + 2r]
    x = F.conv2d(x, w.view(1, 1, 1, -1).repeat(c, 1, 1, 1), groups=c)    # along rows
    return F.conv2d(x, w.view(1, 1, -1, 1).repeat(c, 1, 1, 1), groups=c)  # along columns: [N, C, H, W]


def add_noise(images: torch.Tensor, std: float, generator: torch.Generator) -> torch.Tensor:
    """``images`` plus Gaussian noise of ``std`` (in the [-1, 1] pixel scale), clipped to [-1, 1] like G's tanh output."""
    std = _check.positive("std", std)
    return (images + std * torch.randn(images.shape, generator=generator)).clamp(-1, 1)


def drop_classes(images: torch.Tensor, labels: torch.Tensor, classes) -> torch.Tensor:
    """The images whose label is not in ``classes`` (fewer images: a G that never makes those digits)."""
    classes = [_check.integer("classes", c, minimum=0) for c in classes]
    absent = sorted(set(classes) - set(labels.tolist()))
    if absent:
        raise ValueError(f"classes {absent} do not occur in labels (classes present: {sorted(set(labels.tolist()))})")
    keep = ~torch.isin(labels, torch.tensor(classes, dtype=labels.dtype))
    if not bool(keep.any()):
        raise ValueError(f"dropping classes {classes} leaves no images")
    return images[keep]


def collapse(images: torch.Tensor, labels: torch.Tensor, distinct: int, generator: torch.Generator) -> torch.Tensor:
    """As many images as given, but only ``distinct`` different ones, each repeated: mode collapse.
    The kept images are spread over the classes as evenly as possible (a multiple of the class
    count keeps every class equally often), so the class histogram does not change."""
    distinct = _check.integer("distinct", distinct, minimum=1, maximum=len(images))
    by_class = [torch.nonzero(labels == c).flatten() for c in sorted(set(labels.tolist()))]
    by_class = [idx[torch.randperm(len(idx), generator=generator)] for idx in by_class]
    rounds = max(len(idx) for idx in by_class)
    order = [idx[i] for i in range(rounds) for idx in by_class if i < len(idx)]   # class 0, 1, ..., 0, 1, ...
    kept = torch.stack(order[:distinct])
    reps = kept.repeat(math.ceil(len(images) / distinct))[:len(images)]
    return images[reps[torch.randperm(len(reps), generator=generator)]]


def copy_training(images: torch.Tensor, train_images: torch.Tensor, share: float, generator: torch.Generator) -> torch.Tensor:
    """``images`` with ``share`` of them (chosen at random) replaced by distinct training images: memorisation."""
    share = _check.number("share", share, minimum=0.0, strict_min=True, maximum=1.0)
    m = round(share * len(images))
    if m > len(train_images):
        raise ValueError(f"share={share} needs {m} distinct training images, only {len(train_images)} exist")
    out = images.clone()
    out[torch.randperm(len(images), generator=generator)[:m]] = train_images[torch.randperm(len(train_images), generator=generator)[:m]]
    return out


class Corruption(NamedTuple):
    name: str              #: label for tables and plots, e.g. "blur σ=0.5"
    kind: str              #: "none", "blur", "noise", "drop", "collapse" or "copy"
    strength: float        #: blur σ (pixels), noise std, classes dropped, distinct images kept, share copied; 0 for "none"
    images: torch.Tensor   #: the corrupted probe [N, C, H, W]


def corruptions(setup: LabSetup, seed: int = 0, blur_sigmas=(0.5, 0.75, 1.0), noise_stds=(0.1, 0.25, 0.5),
                dropped=(3, 8), collapse_to=(100, 10), copy_shares=(0.5, 1.0)) -> list[Corruption]:
    """The probe uncorrupted, then each corruption at each strength. Each random one draws from its own
    generator, seeded by ``seed`` and its name, so a corrupted set is the same whichever others are made
    (lesson 10's prediction scores the copies alone, section 4 every set: the same copy row)."""
    seed = _check.integer("seed", seed, minimum=0)
    x, y = setup.probe_images, setup.probe_labels

    def made(name: str, kind: str, strength: float, corrupt) -> Corruption:
        digest = hashlib.sha256(f"{seed}|{name}".encode()).digest()
        return Corruption(name, kind, float(strength), corrupt(torch.Generator().manual_seed(int.from_bytes(digest[:7], "big"))))

    out = [Corruption("real (no corruption)", "none", 0.0, x)]
    out += [Corruption(f"blur σ={s:g}", "blur", float(s), blur(x, s)) for s in blur_sigmas]
    out += [made(f"noise std={s:g}", "noise", s, lambda g, s=s: add_noise(x, s, g)) for s in noise_stds]
    if dropped:
        out.append(Corruption(f"drop digits {', '.join(map(str, dropped))}", "drop", float(len(dropped)),
                              drop_classes(x, y, dropped)))
    out += [made(f"collapse to {m} images", "collapse", m, lambda g, m=m: collapse(x, y, m, g)) for m in collapse_to]
    out += [made(f"copy {100 * s:g} % training", "copy", s, lambda g, s=s: copy_training(x, setup.train_images, s, g))
            for s in copy_shares]
    return out


def run(setup: LabSetup | None = None, seed: int = 0, k: int = 5, kid_subset_size: int = 200, kid_subsets: int = 50,
        space: str = "pixels", **corruption_options) -> list[dict]:
    """The lab: one row per :func:`corruptions` entry (``corruption``, ``kind``, ``strength`` and the
    :func:`score` keys), ready for a table or a plot. ``setup`` defaults to ``prepare(seed=seed)``;
    ``corruption_options`` go to :func:`corruptions` (e.g. ``blur_sigmas=(1.0,)``)."""
    setup = prepare(seed=seed) if setup is None else setup
    if not isinstance(setup, LabSetup):
        raise TypeError(f"setup must be a LabSetup (from metrics_lab.prepare()), got {type(setup).__name__}")
    return [{"corruption": c.name, "kind": c.kind, "strength": c.strength,
             **score(c.images, setup, k=k, kid_subset_size=kid_subset_size, kid_subsets=kid_subsets, space=space, seed=seed)}
            for c in corruptions(setup, seed=seed, **corruption_options)]


def format_table(rows: list[dict]) -> str:
    """The rows as a fixed-width text table (KID as mean ± spread over subsets)."""
    lines = [f"{'':22} {'n':>4} {'FD':>7} {'FD-train':>8} {'KID':>13} {'prec':>5} {'recall':>6} {'dens':>5} {'cover':>5} "
             f"{'class':>5} {'KL':>5} {'memo':>5}"]
    for r in rows:
        kid = f"{r['kid']:.3f}±{r['kid_std']:.3f}"
        lines.append(f"{r.get('corruption', ''):22.22} {r['n']:4d} {r['fd']:7.2f} {r['fd_train']:8.2f} {kid:>13} "
                     f"{r['precision']:5.2f} {r['recall']:6.2f} {r['density']:5.2f} {r['coverage']:5.2f} "
                     f"{r['classes']:5d} {r['class_kl']:5.2f} {r['memorised']:5.2f}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- reading the table
#: how far a metric must move from the real row to count as *noticed* in :func:`noticed` (FD: a ratio,
#: either way; classes: digits lost; the rest: a difference). Set from the lab on seeds 0-9, above what the
#: faint noise (std 0.1) and the copies moved any of them (FD at most 1.11 x, KID +0.22, precision, recall,
#: coverage 0.04, density 0.07, class KL 0.03) and below the responses the lesson teaches (a slight blur: FD
#: at least 2.5 x, KID +0.57; noise std 0.5: precision -0.24; two digits dropped: recall and coverage -0.11,
#: class KL +0.17; collapse to 100 images: recall and coverage -0.24; half copied: memorised +0.45).
NOTICE = {"fd": 1.5, "kid": 0.4, "precision": 0.1, "recall": 0.1, "density": 0.1, "coverage": 0.1, "classes": 1,
          "class_kl": 0.1, "memorised": 0.2}


def noticed(row: dict, real: dict) -> dict[str, int]:
    """The metrics of ``row`` that moved from the ``real`` row by more than :data:`NOTICE`, as
    ``{metric: +1 (rose) or -1 (fell)}``, in :data:`NOTICE` order."""
    out = {}
    for m, limit in NOTICE.items():
        if m == "fd":
            ratio = row["fd"] / real["fd"]
            change = 1 if ratio >= limit else -1 if ratio <= 1 / limit else 0
        else:
            diff = row[m] - real[m]
            change = 1 if diff >= limit else -1 if diff <= -limit else 0
        if change:
            out[m] = change
    return out


def response_table(rows: list[dict]) -> str:
    """Which metric noticed which corruption (:func:`noticed` against the first row, the real one):
    ``+`` rose, ``-`` fell, ``.`` stayed within :data:`NOTICE`."""
    real = rows[0]
    heads = {"fd": "FD", "kid": "KID", "precision": "prec", "recall": "recall", "density": "dens", "coverage": "cover",
             "classes": "class", "class_kl": "KL", "memorised": "memo"}
    lines = [f"{'':22} " + " ".join(f"{h:>6}" for h in heads.values())]
    for r in rows[1:]:
        seen = noticed(r, real)
        marks = [{1: "+", -1: "-"}.get(seen.get(m, 0), ".") for m in heads]
        lines.append(f"{r['corruption']:22.22} " + " ".join(f"{c:>6}" for c in marks))
    return "\n".join(lines)


def copy_outcome(rows: list[dict]) -> str:
    """Lesson 10's prediction: which metric noticed the copies? ``rows``: the real row first, then
    "copy 100 % training". ``"fd"`` (FD or KID), ``"prdc"``, ``"classes"`` (count or KL), ``"memo"``
    (the memorisation check and nothing else) or ``"none"``."""
    real = rows[0]
    copies = next(r for r in rows if r["kind"] == "copy" and r["strength"] == 1.0)
    seen = noticed(copies, real)
    for key, metrics in (("fd", ("fd", "kid")), ("prdc", ("precision", "recall", "density", "coverage")),
                         ("classes", ("classes", "class_kl"))):
        if any(m in seen for m in metrics):
            return key
    return "memo" if "memorised" in seen else "none"


def ball_radius(images: torch.Tensor, setup: LabSetup, k: int = 5) -> float:
    """The median radius of the k-nearest-neighbour balls around ``images``' features: the balls recall draws
    around a generator's samples (wide balls around scattered samples swallow real images)."""
    return float(ev.knn_radii(ev.penultimate_features(setup.classifier, _check_images(images, setup)), k).median())


# --------------------------------------------------------------------------- FD's bias at small n
def baseline_by_n(setup: LabSetup, sizes=None, splits: int = 4, seed: int = 0) -> list[dict]:
    """What a perfect generator scores at each sample size: ``n`` probe digits drawn at random (its
    "samples"), scored against the reference digits exactly as :func:`score` scores a generator's
    ``n`` samples (FD, and KID on subsets of up to 200), ``splits`` draws for each ``n`` in ``sizes``
    (default 50, 100, 200 and ``setup.n``, where every draw is the whole probe). One dict per ``n``:
    the mean and the spread (min to max) of each. FD is biased upwards, more so at small n; KID is not."""
    splits = _check.positive_int("splits", splits)
    feats = ev.penultimate_features(setup.classifier, setup.probe_images)
    sizes = (50, 100, 200, setup.n) if sizes is None else sizes
    g = torch.Generator().manual_seed(_check.integer("seed", seed, minimum=0))
    out = []
    for n in sizes:
        n = _check.integer("sizes", n, minimum=6, maximum=len(feats))
        fd, kid = [], []
        for _ in range(splits):
            value, distance = _fd_kid(feats[torch.randperm(len(feats), generator=g)[:n]], setup)
            fd.append(value)
            kid.append(distance.mean)
        out.append({"n": n, "fd": sum(fd) / splits, "fd_min": min(fd), "fd_max": max(fd),
                    "kid": sum(kid) / splits, "kid_min": min(kid), "kid_max": max(kid)})
    return out


# --------------------------------------------------------------------------- a real generator
def training_set(setup: LabSetup) -> data_mod.ImageSet:
    """The set-up's training split as an image set, to train a GAN on: the probe and reference
    digits stay new to it, so the lab's numbers mean for it what they mean for the corruptions."""
    return data_mod.subset(setup.data, setup.classifier.train_idx, "metrics lab training split")


class TrainedGenerator(NamedTuple):
    trainer: object        #: the :class:`~gan_edu.trainer.Trainer` after training
    steps: int
    cpu_seconds: float     #: processor time of the training (all threads of this process)


def train_generator(setup: LabSetup, steps: int = 2000, seed: int = 0, report_every: int | None = 500,
                    on_progress=None, every: int = 50) -> TrainedGenerator:
    """Lesson 07's DCGAN (the ``digits-dcgan`` settings, :func:`gan_edu.presets.digits.dcgan`) trained for
    ``steps`` steps on :func:`training_set` only, printing a line every ``report_every`` steps (None: quiet).
    ``on_progress(trainer, steps)`` (a progress bar's update) is called before the first step, every
    ``every`` steps and at the end."""
    import time

    from ..presets import digits as digits_preset

    steps = _check.integer("steps", steps, minimum=digits_preset.DCGAN["decay_start"] + 1)
    progress = progress_reporter(on_progress, every, steps)
    report_every = None if report_every is None else _check.positive_int("report_every", report_every)
    tr = digits_preset.dcgan(training_set(setup), seed=seed, steps=steps)

    def report(t):
        if t.state.step % report_every == 0:
            print(f"step {t.state.step} of {steps}: loss_D {t.state.loss_d:.2f}, loss_G {t.state.loss_g:.2f}", flush=True)

    handlers = [report] * (report_every is not None) + [progress]
    progress(tr)                                                                       # before the first step
    start = time.process_time()
    with tr.attached(step_end=handlers):
        tr.run(steps, progress=False)
    return TrainedGenerator(tr, steps, time.process_time() - start)


# --------------------------------------------------------------------------- the memorisation check, shown
class NearestPairs(NamedTuple):
    images: torch.Tensor    #: [k, C, H, W] the k images closest to a training image
    nearest: torch.Tensor   #: [k, C, H, W] their closest training images
    distances: torch.Tensor  #: [k] pixel distances, smallest first


def closest_pairs(images: torch.Tensor, train_images: torch.Tensor, k: int = 8) -> NearestPairs:
    """The ``k`` of ``images`` closest to some training image, with that image and the pixel distance."""
    k = _check.integer("k", k, minimum=1, maximum=len(images))
    d = ev.pairwise_distances(images, train_images, "images", "train_images")      # [N, T]
    best = d.min(1)
    order = best.values.argsort()[:k]
    return NearestPairs(images[order], train_images[best.indices[order]], best.values[order].float())


def memorisation_against_all(images: torch.Tensor, setup: LabSetup, quantile: float = 0.05) -> ev.Memorisation:
    """The memorisation check for a generator trained on *all* of ``setup.data`` (as ``gan-edu train
    --data digits`` does), for which no real digit is new: each sample's distance to the closest image of
    the whole set, against each reference digit's distance to the closest *other* image of the set
    (leave-one-out: how close a real digit comes to the rest)."""
    if setup.reference_idx is None:
        raise ValueError("setup has no reference_idx (make it with metrics_lab.prepare)")
    quantile = _check.number("quantile", quantile, minimum=0.0, strict_min=True, maximum=0.5)
    everything = setup.data.images.float()
    gen = ev.pairwise_distances(images, everything, "images", "data").min(1)                   # [N]
    d_ref = ev.pairwise_distances(setup.reference_images, everything, "reference", "data")     # [R, D]
    d_ref[torch.arange(len(d_ref)), setup.reference_idx] = math.inf                            # not itself
    held = d_ref.min(1)
    threshold = float(torch.quantile(held.values, quantile))
    return ev.Memorisation(gen.values.numpy(), held.values.numpy(), gen.indices.numpy(), threshold, quantile,
                           float((gen.values <= threshold).double().mean()),
                           float((gen.values == 0).double().mean()), "pixels", held.indices.numpy())
