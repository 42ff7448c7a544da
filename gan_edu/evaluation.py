r"""How good is a generator? Metrics on feature vectors, computed offline (lesson 10).

Every function takes feature arrays ``[N, d]`` (a ``torch.Tensor`` or a NumPy array; images
``[N, C, H, W]`` where said) and does its arithmetic in float64. Each metric answers one
question, and none answers all of them:

* :func:`frechet_distance` -- fit a Gaussian to each set (mean :math:`\mu`, covariance
  :math:`\Sigma`) and measure how far apart the two Gaussians are:

  .. math::  FD = \|\mu_r - \mu_g\|^2 + \mathrm{tr}\,\Sigma_r + \mathrm{tr}\,\Sigma_g
                  - 2\,\mathrm{tr}\big(\Sigma_r \Sigma_g\big)^{1/2}

  **FID** (Heusel et al. 2017) is this number on the 2048 pool features of an Inception-v3
  network trained on ImageNet. The kit cannot download those weights offline, so it uses the
  penultimate features of the kit's own digit classifier (:func:`penultimate_features`).
  Numbers from different feature extractors are **not comparable**: an "FD of 3" here says
  nothing about an FID of 3 in a paper. FD is biased upwards at small N (even two samples of
  one distribution score above 0): compare against :func:`frechet_baseline`, two halves of the
  real set, and compare sets of the same size.
* :func:`kernel_distance` -- KID (Bińkowski et al. 2018): the squared maximum mean discrepancy
  with the cubic kernel :math:`k(x, y) = (x \cdot y / d + 1)^3`, estimated *without bias*
  (the diagonal terms are left out), averaged over random subsets. Its expected value is 0 when
  both sets come from one distribution at any N -- which is why it is the better choice for a
  few hundred samples. A single estimate can be slightly negative.
* :func:`prdc` -- *precision* (share of generated samples that land on the real manifold:
  quality), *recall* (share of real samples that land on the generated manifold: diversity),
  both with manifolds made of k-nearest-neighbour balls (Kynkäänniemi et al. 2019); *density*
  and *coverage* (Naeem et al. 2020), the versions that are robust to outliers.
* :func:`class_balance` -- from a classifier's probabilities or labels: how many classes G makes
  and the KL divergence of its class histogram from the real one.
* :func:`memorisation_check` -- for each generated sample, the distance to the closest
  *training* image, against the same distance for *held-out* real images: a generator that
  copies its training set has many samples closer than almost any new real image is.
  FD, KID and precision/recall **reward** copying: copies are real images.

What no metric here measures: whether samples are *useful* or *novel* beyond the nearest-neighbour
check, artefacts the feature extractor ignores, or anything about data the feature extractor
was not trained on. Look at samples too -- and do not trust your eye alone.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import torch
from torch import nn

from . import _check

__all__ = ["penultimate_features", "GaussianFit", "gaussian_fit", "frechet_distance", "frechet_baseline",
           "polynomial_kernel", "mmd2_unbiased", "KernelDistance", "kernel_distance", "knn_radii", "PRDC", "prdc",
           "ClassBalance", "class_balance", "Memorisation", "memorisation_check", "Nearest", "nearest_training",
           "pairwise_distances"]


# --------------------------------------------------------------------------- checking inputs
def _as_float64(name: str, x) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        return x.detach().to("cpu", torch.float64)
    if isinstance(x, np.ndarray) and (np.issubdtype(x.dtype, np.number) or x.dtype == bool):
        return torch.from_numpy(np.asarray(x, dtype=np.float64))
    raise TypeError(f"{name} must be a torch.Tensor or a NumPy array, got {type(x).__name__}")


def _finite(name: str, x: torch.Tensor) -> torch.Tensor:
    bad = ~torch.isfinite(x.reshape(len(x), -1)).all(1)
    if bool(bad.any()):
        raise ValueError(f"{name} contains NaN or infinite values in {int(bad.sum())} of {len(x)} samples "
                         f"(if these are generator outputs: G produced NaN samples -- training diverged)")
    return x


def _features(name: str, x, *, images: bool = False, min_n: int = 1) -> torch.Tensor:
    """``x`` as float64 [N, d] on the CPU; with ``images=True`` [N, C, H, W] is flattened too."""
    x = _as_float64(name, x)
    if images and x.ndim == 4:
        x = x.flatten(1)
    if x.ndim != 2:
        shapes = "[N, d] features or [N, C, H, W] images" if images else "[N, d] (one feature vector per row)"
        raise ValueError(f"{name} must have shape {shapes}, got {tuple(x.shape)}")
    if x.shape[0] < min_n or x.shape[1] < 1:
        raise ValueError(f"{name} must contain at least {min_n} sample(s) of at least 1 feature, got shape {tuple(x.shape)}")
    return _finite(name, x)


def _same_d(a_name: str, a: torch.Tensor, b_name: str, b: torch.Tensor) -> None:
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"{a_name} and {b_name} must have the same number of features d, got {a.shape[1]} and {b.shape[1]} "
                         f"(were they made by the same feature extractor?)")


# --------------------------------------------------------------------------- features
@torch.no_grad()
def penultimate_features(model, images, batch_size: int = 512) -> torch.Tensor:
    """The activations that go into ``model``'s last ``nn.Linear`` layer, float32 [N, d] on the CPU.

    For :class:`gan_edu.lessons.classifier.DigitClassifier` (or a ``TrainedClassifier``) these
    are the 512 average-pooled convolution features (``features=16``): what the classifier
    "sees" just before it decides. Run in eval mode, without gradients, ``batch_size`` images at
    a time; the model's training mode is restored afterwards. ``images`` [N, C, H, W] in [-1, 1]."""
    if not isinstance(model, nn.Module) and isinstance(getattr(model, "model", None), nn.Module):
        model = model.model                               # a TrainedClassifier
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a classifier (an nn.Module), got {type(model).__name__}")
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if not linears:
        raise ValueError(f"model ({type(model).__name__}) has no nn.Linear layer, so it has no penultimate features")
    if not isinstance(images, torch.Tensor) or images.ndim != 4 or len(images) < 1:
        shape = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
        raise ValueError(f"images must be a torch.Tensor [N, C, H, W] with N >= 1, got {shape}")
    _finite("images", images)
    batch_size = _check.positive_int("batch_size", batch_size)
    caught = []
    hook = linears[-1].register_forward_hook(lambda module, inputs, output: caught.append(inputs[0].detach().cpu()))
    was = model.training
    model.eval()
    try:
        dev = next(model.parameters()).device
        for i in range(0, len(images), batch_size):
            model(images[i:i + batch_size].to(dev, torch.float32))
    finally:
        hook.remove()
        model.train(was)
    return torch.cat(caught).float().flatten(1)           # [N, d]


# --------------------------------------------------------------------------- Fréchet distance
class GaussianFit(NamedTuple):
    mean: torch.Tensor   #: [d], float64
    cov: torch.Tensor    #: [d, d], float64, unbiased (divides by N - 1)
    n: int               #: samples it was fitted to


def gaussian_fit(features, name: str = "features") -> GaussianFit:
    """Mean and covariance of ``features`` [N, d] (N >= 2), to reuse one set's fit across many comparisons."""
    x = _features(name, features, min_n=2)
    mean = x.mean(0)
    xc = x - mean
    return GaussianFit(mean, xc.T @ xc / (len(x) - 1), len(x))


def _sqrt_psd(s: torch.Tensor) -> torch.Tensor:
    """Symmetric square root of a covariance matrix (eigenvalues below 0 are rounding: set to 0)."""
    w, v = torch.linalg.eigh(s)
    return (v * w.clamp(min=0).sqrt()) @ v.T


def _trace_sqrt_product(s1: torch.Tensor, s2: torch.Tensor) -> float:
    r""":math:`\mathrm{tr}\,(S_1 S_2)^{1/2} = \sum_i \sqrt{\lambda_i(S_1^{1/2} S_2 S_1^{1/2})}`: :math:`S_1 S_2` is
    similar to the symmetric positive semi-definite :math:`S_1^{1/2} S_2 S_1^{1/2}`, so a symmetric
    eigendecomposition gives its eigenvalues stably (no complex parts, unlike a general matrix square root)."""
    a = _sqrt_psd(s1)
    m = a @ s2 @ a
    return float(torch.linalg.eigvalsh((m + m.T) / 2).clamp(min=0).sqrt().sum())


def frechet_distance(real, generated) -> float:
    r"""Fréchet distance between Gaussians fitted to ``real`` and ``generated`` features [N, d]
    (or :class:`GaussianFit` s). 0 only for identical means and covariances; in squared feature
    units. See the module docstring for why this is not FID and not comparable across extractors."""
    f1 = real if isinstance(real, GaussianFit) else gaussian_fit(real, "real")
    f2 = generated if isinstance(generated, GaussianFit) else gaussian_fit(generated, "generated")
    if f1.mean.shape != f2.mean.shape:
        raise ValueError(f"real and generated must have the same number of features d, got {len(f1.mean)} and {len(f2.mean)}")
    mean_term = float(((f1.mean - f2.mean) ** 2).sum())
    fd = mean_term + float(f1.cov.trace() + f2.cov.trace()) - 2 * _trace_sqrt_product(f1.cov, f2.cov)
    return max(fd, 0.0)                 # rounding can leave -1e-12 for identical fits


def frechet_baseline(real, n: int | None = None, seed: int = 0) -> float:
    """FD between two disjoint random subsets of ``real`` [N, d], ``n`` samples each (default and
    largest: N // 2): what two samples of the *same* distribution score at that size. A generator's
    FD means something only next to this number for the same ``n`` (FD's bias grows as n shrinks)."""
    x = _features("real", real, min_n=4)
    n = len(x) // 2 if n is None else _check.integer("n", n, minimum=2, maximum=len(x) // 2)
    g = torch.Generator().manual_seed(_check.integer("seed", seed, minimum=0))
    order = torch.randperm(len(x), generator=g)
    return frechet_distance(x[order[:n]], x[order[n:2 * n]])


# --------------------------------------------------------------------------- kernel distance (KID)
def polynomial_kernel(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    r""":math:`k(x, y) = (x \cdot y / d + 1)^3` for all pairs: [N, d] x [M, d] -> [N, M]."""
    return (x @ y.T / x.shape[1] + 1) ** 3


def mmd2_unbiased(kxx: torch.Tensor, kyy: torch.Tensor, kxy: torch.Tensor) -> float:
    r"""Unbiased :math:`\mathrm{MMD}^2` from kernel matrices (Gretton et al. 2012, eq. 3):

    .. math::  \frac{1}{m(m-1)}\sum_{i \ne j} k(x_i, x_j) + \frac{1}{n(n-1)}\sum_{i \ne j} k(y_i, y_j)
               - \frac{2}{mn}\sum_{i, j} k(x_i, y_j)

    Leaving out :math:`k(x_i, x_i)` is what removes the bias."""
    m, n = kxx.shape[0], kyy.shape[0]
    xx = (kxx.sum() - kxx.diagonal().sum()) / (m * (m - 1))
    yy = (kyy.sum() - kyy.diagonal().sum()) / (n * (n - 1))
    return float(xx + yy - 2 * kxy.sum() / (m * n))


class KernelDistance(NamedTuple):
    mean: float           #: KID: the mean of the subset estimates
    std: float            #: their standard deviation (spread of one estimate at this subset size)
    values: np.ndarray    #: every subset's estimate
    subset_size: int
    subsets: int


_GRAM_LIMIT = 3 * 3000 ** 2      # kernel entries kept in memory at once (3 x 72 MB); above: kernels per subset


def _subset_mmd2(x: torch.Tensor, y: torch.Tensor, ix: torch.Tensor, iy: torch.Tensor) -> torch.Tensor:
    """Unbiased MMD² [S] of the subsets x[ix[s]], y[iy[s]] (ix [S, m], iy [S, m])."""
    if len(x) ** 2 + len(y) ** 2 + len(x) * len(y) > _GRAM_LIMIT:        # large sets: kernels of each subset
        return torch.tensor([mmd2_unbiased(polynomial_kernel(x[i], x[i]), polynomial_kernel(y[j], y[j]),
                                           polynomial_kernel(x[i], y[j])) for i, j in zip(ix, iy)], dtype=torch.float64)
    # each kernel value computed once; a subset's sum of kernel values is the quadratic form s^T K s of its
    # 0/1 membership vector s, for all subsets at once
    kxx, kyy, kxy = polynomial_kernel(x, x), polynomial_kernel(y, y), polynomial_kernel(x, y)
    sx = torch.zeros(len(ix), len(x), dtype=torch.float64).scatter_(1, ix, 1.0)    # [S, N_real]
    sy = torch.zeros(len(iy), len(y), dtype=torch.float64).scatter_(1, iy, 1.0)    # [S, N_generated]
    m = ix.shape[1]
    xx = ((sx @ kxx) * sx).sum(1) - sx @ kxx.diagonal()                           # sum over i != j in the subset
    yy = ((sy @ kyy) * sy).sum(1) - sy @ kyy.diagonal()
    xy = ((sx @ kxy) * sy).sum(1)
    return (xx + yy) / (m * (m - 1)) - 2 * xy / (m * m)


def kernel_distance(real, generated, subset_size: int | None = None, subsets: int = 100, seed: int = 0) -> KernelDistance:
    """KID between ``real`` and ``generated`` features [N, d]: the unbiased MMD² with the cubic
    polynomial kernel, on ``subsets`` random subsets of ``subset_size`` samples from each set
    (drawn without replacement within a subset, seeded by ``seed``). ``subset_size=None`` uses
    min(1000, N_real, N_generated), as Bińkowski et al. do at 1000."""
    x, y = _features("real", real, min_n=2), _features("generated", generated, min_n=2)
    _same_d("real", x, "generated", y)
    largest = min(len(x), len(y))
    size = min(1000, largest) if subset_size is None else _check.integer("subset_size", subset_size, minimum=2)
    if size > largest:
        raise ValueError(f"subset_size must be <= the smaller set ({largest} samples), got {size}")
    subsets = _check.positive_int("subsets", subsets)
    g = torch.Generator().manual_seed(_check.integer("seed", seed, minimum=0))
    draws = [(torch.randperm(len(x), generator=g)[:size], torch.randperm(len(y), generator=g)[:size]) for _ in range(subsets)]
    v = _subset_mmd2(x, y, torch.stack([i for i, _ in draws]), torch.stack([j for _, j in draws])).numpy()
    return KernelDistance(float(v.mean()), float(v.std()), v, size, subsets)


# --------------------------------------------------------------------------- distances and k-NN balls
def pairwise_distances(a, b, name_a: str = "a", name_b: str = "b") -> torch.Tensor:
    """Euclidean distances [N, M] between the rows of ``a`` [N, d] and ``b`` [M, d], float64.

    Computed as :math:`\\sqrt{|a|^2 + |b|^2 - 2 a \\cdot b}` (fast), then every pair that this
    formula puts within rounding error of 0 is recomputed directly, so an exact copy is at
    distance exactly 0 (the fast formula alone leaves ~1e-7)."""
    a, b = _features(name_a, a, images=True), _features(name_b, b, images=True)
    _same_d(name_a, a, name_b, b)
    na, nb = (a * a).sum(1), (b * b).sum(1)
    d2 = (na[:, None] + nb[None, :] - 2 * a @ b.T).clamp(min=0)
    close = d2 <= 1e-9 * (na[:, None] + nb[None, :] + 1)
    if bool(close.any()):
        i, j = close.nonzero(as_tuple=True)
        d2[i, j] = ((a[i] - b[j]) ** 2).sum(1)
    return d2.sqrt()


def knn_radii(features, k: int = 5, name: str = "features") -> torch.Tensor:
    """For each row of ``features`` [N, d], the distance to its k-th nearest *other* row [N]:
    the radius of its k-NN ball. Needs N >= k + 1."""
    k = _check.positive_int("k", k)
    x = _features(name, features)
    if len(x) < k + 1:
        raise ValueError(f"{name} has {len(x)} samples; k-nearest-neighbour balls with k={k} need at least k + 1 = {k + 1}")
    d = pairwise_distances(x, x, name, name)
    d.fill_diagonal_(math.inf)                           # a point is not its own neighbour
    return d.kthvalue(k, dim=1).values


class PRDC(NamedTuple):
    precision: float   #: share of generated samples inside some real k-NN ball (quality)
    recall: float      #: share of real samples inside some generated k-NN ball (diversity)
    density: float     #: mean count of real balls holding a generated sample, / k (≈ 1 for matching sets, can exceed 1)
    coverage: float    #: share of real balls holding at least one generated sample
    k: int


def prdc(real, generated, k: int = 5) -> PRDC:
    r"""Precision and recall (Kynkäänniemi et al. 2019) and density and coverage (Naeem et al. 2020).

    With :math:`B(x, r)` the closed ball around :math:`x` and :math:`r_k(x)` the distance from a
    sample to its k-th nearest neighbour *in its own set* (:func:`knn_radii`), real :math:`X_1..X_N`
    and generated :math:`Y_1..Y_M`:

    .. math::
        precision = \frac1M \sum_j 1[\exists i: Y_j \in B(X_i, r_k(X_i))] \qquad
        recall = \frac1N \sum_i 1[\exists j: X_i \in B(Y_j, r_k(Y_j))]

        density = \frac{1}{kM} \sum_j \sum_i 1[Y_j \in B(X_i, r_k(X_i))] \qquad
        coverage = \frac1N \sum_i 1[\exists j: Y_j \in B(X_i, r_k(X_i))]

    Recall uses balls around *generated* samples, so a few generated outliers inflate it (their
    balls are huge); coverage uses only real balls, and density counts instead of "any", which is
    what makes them robust. (The reference code, ``prdc``, tests with ``<`` instead of the papers'
    closed balls, ``<=``: the two differ only when a distance equals a radius exactly.)
    Both sets need at least k + 1 samples. Compare sets of equal size: coverage and recall depend on it."""
    k = _check.positive_int("k", k)
    x, y = _features("real", real), _features("generated", generated)
    _same_d("real", x, "generated", y)
    r_real, r_gen = knn_radii(x, k, "real"), knn_radii(y, k, "generated")   # [N], [M]
    d = pairwise_distances(x, y, "real", "generated")                       # [N, M]
    in_real_ball = d <= r_real[:, None]                                     # Y_j in B(X_i)
    precision = in_real_ball.any(0).double().mean()
    recall = (d <= r_gen[None, :]).any(1).double().mean()
    density = in_real_ball.sum(0).double().mean() / k
    coverage = in_real_ball.any(1).double().mean()
    return PRDC(float(precision), float(recall), float(density), float(coverage), k)


# --------------------------------------------------------------------------- classes
class ClassBalance(NamedTuple):
    classes: int              #: classes with at least ``min_count`` (confidently) classified generated samples
    n_classes: int            #: K
    missing: list             #: the classes not covered
    kl: float                 #: KL(generated class histogram || real class histogram), nats
    histogram: np.ndarray     #: share of generated samples per class [K] (every sample, by its most probable class)
    real_histogram: np.ndarray  #: share of real samples per class [K]


def _class_labels(name: str, x) -> tuple[torch.Tensor, torch.Tensor | None, int]:
    """(predicted class [N], top probability [N] or None for labels, width K or largest label + 1)."""
    if isinstance(x, (np.ndarray, list)):
        x = torch.as_tensor(np.asarray(x))
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be class probabilities [N, K] or class labels [N] (tensor or array), got {type(x).__name__}")
    if x.ndim == 2 and x.is_floating_point():
        p = _features(name, x)
        if bool((p < 0).any()) or not bool(((p.sum(1) - 1).abs() <= 1e-3).all()):
            raise ValueError(f"{name} must be probabilities (non-negative rows summing to 1: apply softmax to logits)")
        top, pred = p.max(1)
        return pred, top, p.shape[1]
    if x.ndim != 1 or len(x) < 1 or x.is_floating_point() or x.dtype == torch.bool:
        raise ValueError(f"{name} must be probabilities [N, K] (float) or integer labels [N] with N >= 1, "
                         f"got shape {tuple(x.shape)} ({x.dtype})")
    if bool((x < 0).any()):
        raise ValueError(f"{name}: class labels must be >= 0, got {int(x.min())}")
    return x.long(), None, int(x.max()) + 1


def class_balance(generated, real, n_classes: int | None = None, min_count: int = 1, threshold: float = 0.0) -> ClassBalance:
    r"""Which classes G makes, and how far its class histogram :math:`\hat p` is from the real one :math:`p`:
    :math:`KL(\hat p \| p) = \sum_k \hat p_k \log(\hat p_k / p_k)` (nats; 0 when the shares match;
    :math:`\log(10/8) \approx 0.22` when 2 of 10 balanced classes are missing and the rest evenly made;
    infinite if G makes a class the real set never has).

    ``generated`` and ``real``: a classifier's probabilities [N, K] (each sample counts as its most
    probable class) or integer labels [N]. ``n_classes`` K defaults to the probabilities' width or the
    largest label + 1. A class is *covered* when at least ``min_count`` generated samples are predicted
    as it with probability at least ``threshold`` (probabilities only: a classifier's few mistakes would
    otherwise "cover" a class G never makes). Blind to everything inside a class: ten copies of one "3"
    balance as well as ten different 3s."""
    if n_classes is not None:
        n_classes = _check.integer("n_classes", n_classes, minimum=2)
    min_count = _check.positive_int("min_count", min_count)
    threshold = _check.number("threshold", threshold, minimum=0.0, maximum=1.0)
    g, top, kg = _class_labels("generated", generated)
    r, _, kr = _class_labels("real", real)
    if top is None and threshold > 0:
        raise ValueError(f"threshold={threshold} needs generated to be probabilities [N, K], not labels")
    k = n_classes or max(kg, kr)
    if max(kg, kr) > k:
        raise ValueError(f"n_classes={k}, but the inputs have {max(kg, kr)} classes (labels must be < n_classes)")
    counts = np.bincount(g.numpy(), minlength=k)
    hist, real_hist = counts / counts.sum(), np.bincount(r.numpy(), minlength=k) / len(r)
    m = hist > 0
    kl = math.inf if bool((real_hist[m] == 0).any()) else float(np.sum(hist[m] * np.log(hist[m] / real_hist[m])))
    sure = g if top is None else g[top >= threshold]
    sure_counts = np.bincount(sure.numpy(), minlength=k)
    missing = [c for c in range(k) if sure_counts[c] < min_count]
    return ClassBalance(k - len(missing), k, missing, kl, hist, real_hist)


# --------------------------------------------------------------------------- memorisation
class Memorisation(NamedTuple):
    generated: np.ndarray         #: distance from each generated sample to its closest training sample [M]
    held_out: np.ndarray          #: distance from each held-out real sample to its closest training sample [H]
    nearest: np.ndarray           #: index (into ``train``) of each generated sample's closest training sample [M]
    threshold: float              #: the ``quantile`` of ``held_out``: "as close as the closest new images"
    quantile: float
    share: float                  #: share of generated samples at distance <= threshold (≈ quantile if G does not copy)
    exact_copies: float           #: share of generated samples at distance exactly 0
    space: str                    #: "pixels", "features" or "as given"
    held_out_nearest: np.ndarray  #: index (into ``train``) of each held-out sample's closest training sample [H]

    @property
    def median_ratio(self) -> float:
        """Median distance of the generated samples / that of the held-out ones (near 0 for a copier)."""
        held = float(np.median(self.held_out))
        return float(np.median(self.generated)) / held if held > 0 else float("inf")

    def closest(self, k: int = 8, which: str = "generated") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The ``k`` samples of ``which`` ("generated" or "held_out") closest to a training sample, closest
        first: ``(their indices, their nearest training samples' indices, the distances)`` -- the suspects."""
        _check.one_of("which", which, ("generated", "held_out"))
        dist, nearest = (self.generated, self.nearest) if which == "generated" else (self.held_out, self.held_out_nearest)
        order = np.argsort(dist, kind="stable")[:_check.positive_int("k", k)]
        return order, nearest[order], dist[order]

    def summary(self) -> str:
        return (f"{100 * self.share:.1f} % of generated samples are at least as close to a training image as the closest "
                f"{100 * self.quantile:g} % of held-out real images are (about {100 * self.quantile:g} % if G does not "
                f"copy); {100 * self.exact_copies:.1f} % are exact copies ({_SPACES.get(self.space, self.space)})")


#: how :meth:`Memorisation.summary` names the space its distances were measured in
_SPACES = {"pixels": "distances between pixels", "features": "distances between the classifier's features",
           "as given": "distances between the vectors given"}


class Nearest(NamedTuple):
    distance: torch.Tensor    #: [N] Euclidean distance from each sample to its closest training sample
    index: torch.Tensor       #: [N] index of that training sample


def nearest_training(samples, train, chunk: int = 1024) -> Nearest:
    """For each of ``samples`` (images [N, C, H, W], flattened, or features [N, d]), its closest row of
    ``train``: the distance (float64, an exact copy at exactly 0) and the index, ``chunk`` rows at a time."""
    s, t = _features("samples", samples, images=True), _features("train", train, images=True)
    _same_d("samples", s, "train", t)
    return Nearest(*_nearest("samples", s, t, _check.positive_int("chunk", chunk)))


def _nearest(name: str, samples: torch.Tensor, train: torch.Tensor, chunk: int = 1024) -> tuple[torch.Tensor, torch.Tensor]:
    dist, idx = [], []
    for i in range(0, len(samples), chunk):             # [chunk, N_train] at a time keeps memory small
        d = pairwise_distances(samples[i:i + chunk], train, name, "train")
        best = d.min(1)
        dist.append(best.values)
        idx.append(best.indices)
    return torch.cat(dist), torch.cat(idx)


def memorisation_check(generated, train, held_out, quantile: float = 0.05, model=None,
                       batch_size: int = 512) -> Memorisation:
    """The nearest-neighbour memorisation check: is G closer to its training set than new real data is?

    For each generated sample, the distance to the closest ``train`` sample; the same for each
    ``held_out`` real sample (real images that were *not* trained on). A sample is flagged when it is
    at least as close as the closest ``quantile`` of held-out images (the threshold). A generator that
    does not copy has about ``quantile`` of its samples flagged; one that copies has many, and exact
    copies sit at distance 0.

    Distances are Euclidean on what you pass (images [N, C, H, W] are flattened: pixel space), or,
    with ``model`` (a classifier), on its :func:`penultimate_features` of the images (feature space:
    closeness as the classifier sees it -- two different images can have near-identical features, so
    a feature-space match is a lead to look at, while pixel distance 0 proves a copy)."""
    quantile = _check.number("quantile", quantile, minimum=0.0, strict_min=True, maximum=0.5)
    space = "features" if model is not None else ("pixels" if getattr(generated, "ndim", None) == 4 else "as given")
    if model is not None:
        generated, train, held_out = (penultimate_features(model, v, batch_size) for v in (generated, train, held_out))
    g, t, h = (_features(n, v, images=True) for n, v in (("generated", generated), ("train", train), ("held_out", held_out)))
    _same_d("generated", g, "train", t)
    _same_d("held_out", h, "train", t)
    dg, nearest = _nearest("generated", g, t)
    dh, held_nearest = _nearest("held_out", h, t)
    threshold = float(torch.quantile(dh, quantile))
    return Memorisation(dg.numpy(), dh.numpy(), nearest.numpy(), threshold, quantile,
                        float((dg <= threshold).double().mean()), float((dg == 0).double().mean()), space,
                        held_nearest.numpy())
