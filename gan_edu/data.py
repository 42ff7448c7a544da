r"""Data sources: toy 2D distributions, a 1D Gaussian, and small image sets.

Every source has the same three things, so the trainer and the plots never
care which one they hold:

* ``shape`` -- the shape of ONE sample, e.g. ``(2,)`` or ``(1, 8, 8)``;
* ``sample(n, generator=None)`` -- a float32 tensor ``[n, *shape]``,
  reproducible when a seeded ``torch.Generator`` is passed;
* ``spec()`` -- what is needed to rebuild it (used by checkpoints).

Gaussian mixtures (``ring``, ``grid``, ``two_gaussians``, ``gaussian_1d``)
also know their ``centers``, ``std`` and exact ``density(x)``:

.. math::  p(x) = \sum_k w_k \, \mathcal N(x;\ \mu_k, \sigma^2 I)

which is what lets a lesson draw the *optimal* discriminator
:math:`D^*(x) = p_{data}(x) / (p_{data}(x) + p_g(x))`.

Everything works offline: the default image set is scikit-learn's 8x8 digits,
which ships inside scikit-learn. MNIST is read only from a local folder.
"""
from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import torch

from . import _check

__all__ = [
    "DataSource", "GaussianMixture", "Spiral", "Moons", "Points", "ImageSet",
    "ring", "grid", "gaussian_1d", "two_gaussians", "spiral", "moons", "from_points",
    "digits", "mnist", "from_spec", "plane_extent", "TOY_DATASETS",
]


class DataSource:
    """Base class: a distribution we can draw samples from."""

    name = "data"
    shape: tuple[int, ...] = (2,)

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        raise NotImplementedError

    def density(self, x):
        raise NotImplementedError(
            f"the {self.name!r} data source has no closed-form density; "
            "use a Gaussian mixture (ring, grid, two_gaussians, gaussian_1d) "
            "or estimate it from samples with gan_edu.metrics"
        )

    def spec(self) -> dict:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} shape={self.shape}>"


def _n(n) -> int:
    return _check.positive_int("n", n)


def _check_generator(generator) -> None:
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")


# --------------------------------------------------------------------------- mixtures
class GaussianMixture(DataSource):
    r"""Isotropic Gaussian mixture: centre ``k`` chosen with probability ``w_k``,
    then ``x = centers[k] + std * eps`` with ``eps ~ N(0, I)``."""

    def __init__(self, centers, std: float, weights=None, name: str = "mixture", _spec=None):
        centers = torch.as_tensor(np.asarray(centers, dtype=np.float32))
        if centers.ndim != 2 or centers.shape[0] < 1 or centers.shape[1] < 1:
            raise ValueError(f"centers must have shape [n_modes, dim], got {tuple(centers.shape)}")
        self.centers = centers
        self.std = _check.positive("std", std)
        k = centers.shape[0]
        if weights is None:
            self.weights = torch.full((k,), 1.0 / k)
            self._uniform = True
        else:
            w = torch.as_tensor(np.asarray(weights, dtype=np.float64))
            if w.shape != (k,) or bool((w < 0).any()) or float(w.sum()) <= 0:
                raise ValueError(f"weights must be {k} non-negative numbers (one per centre) with a positive sum, got {weights!r}")
            self.weights = (w / w.sum()).float()
            self._uniform = False
        self.name = name
        self.shape = (centers.shape[1],)
        self._spec = _spec or {"kind": "mixture", "centers": centers.tolist(), "std": self.std,
                               "weights": None if weights is None else self.weights.tolist(), "name": name}

    @property
    def n_modes(self) -> int:
        return self.centers.shape[0]

    def sample(self, n, generator=None, return_modes: bool = False):
        n = _n(n)
        _check_generator(generator)
        k = self.n_modes
        if self._uniform:
            idx = torch.randint(k, (n,), generator=generator)
        else:
            idx = torch.multinomial(self.weights, n, replacement=True, generator=generator)
        x = self.centers[idx] + self.std * torch.randn(n, self.shape[0], generator=generator)
        return (x, idx) if return_modes else x

    def log_density(self, x):
        """log p(x) for points ``x`` of shape ``[..., dim]`` (tensor or array, float64)."""
        as_numpy = not isinstance(x, torch.Tensor)
        xt = torch.as_tensor(np.asarray(x) if as_numpy else x, dtype=torch.float64)
        d = self.shape[0]
        if xt.shape[-1] != d:
            raise ValueError(f"x must have last dimension {d} for the {self.name!r} data, got shape {tuple(xt.shape)}")
        c = self.centers.double()
        sq = ((xt.unsqueeze(-2) - c) ** 2).sum(-1)                      # [..., K]
        log_norm = -0.5 * d * math.log(2 * math.pi * self.std ** 2)
        comp = log_norm - sq / (2 * self.std ** 2) + torch.log(self.weights.double())
        out = torch.logsumexp(comp, dim=-1)
        return out.numpy() if as_numpy else out

    def density(self, x):
        """p(x) for points ``x`` of shape ``[..., dim]``; returns the same kind (array or tensor)."""
        lp = self.log_density(x)
        return np.exp(lp) if isinstance(lp, np.ndarray) else lp.exp()

    def spec(self) -> dict:
        return dict(self._spec)


def ring(n_modes: int = 8, radius: float = 1.0, std: float = 0.01) -> GaussianMixture:
    """``n_modes`` Gaussians evenly spaced on a circle -- the classic mode-collapse test."""
    n_modes = _check.positive_int("n_modes", n_modes)
    radius = _check.positive("radius", radius)
    angles = 2 * math.pi * np.arange(n_modes) / n_modes
    centers = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return GaussianMixture(centers, std, name="ring",
                           _spec={"kind": "ring", "n_modes": n_modes, "radius": radius, "std": std})


def grid(n: int = 5, spacing: float = 2.0, std: float = 0.05) -> GaussianMixture:
    """An ``n x n`` grid of Gaussians centred on the origin (5x5, spacing 2: from -4 to 4)."""
    n = _check.positive_int("n", n)
    spacing = _check.positive("spacing", spacing)
    ticks = (np.arange(n) - (n - 1) / 2) * spacing
    xx, yy = np.meshgrid(ticks, ticks, indexing="xy")
    centers = np.stack([xx.ravel(), yy.ravel()], axis=1)
    return GaussianMixture(centers, std, name="grid",
                           _spec={"kind": "grid", "n": n, "spacing": spacing, "std": std})


def gaussian_1d(mean: float = 0.0, std: float = 1.0) -> GaussianMixture:
    """One Gaussian on the line, N(mean, std^2); samples have shape ``[n, 1]``."""
    mean = _check.number("mean", mean)
    return GaussianMixture([[mean]], std, name="gaussian_1d",
                           _spec={"kind": "gaussian_1d", "mean": mean, "std": std})


def two_gaussians(separation: float = 3.0, std: float = 0.3, weights=None) -> GaussianMixture:
    """Two 2D Gaussians at ``(-separation/2, 0)`` and ``(+separation/2, 0)``."""
    separation = _check.positive("separation", separation)
    h = separation / 2
    return GaussianMixture([[-h, 0.0], [h, 0.0]], std, weights=weights, name="two_gaussians",
                           _spec={"kind": "two_gaussians", "separation": separation, "std": std,
                                  "weights": None if weights is None else list(map(float, weights))})


# --------------------------------------------------------------------------- other 2D shapes
class Spiral(DataSource):
    """A noisy spiral arm: angle ``t = turns * 2 pi * sqrt(u)``, radius ``scale * t / (turns 2 pi)``."""

    name = "spiral"

    def __init__(self, turns: float = 1.5, scale: float = 2.0, noise: float = 0.05):
        self.turns = _check.positive("turns", turns)
        self.scale = _check.positive("scale", scale)
        self.noise = _check.number("noise", noise, minimum=0.0)
        self.shape = (2,)

    def sample(self, n, generator=None):
        n = _n(n)
        _check_generator(generator)
        u = torch.rand(n, generator=generator)
        t = self.turns * 2 * math.pi * u.sqrt()
        r = self.scale * t / (self.turns * 2 * math.pi)
        x = torch.stack([r * torch.cos(t), r * torch.sin(t)], dim=1)
        return x + self.noise * torch.randn(n, 2, generator=generator)

    def spec(self):
        return {"kind": "spiral", "turns": self.turns, "scale": self.scale, "noise": self.noise}


class Moons(DataSource):
    """Two interleaving half circles (like ``sklearn.datasets.make_moons``), centred on 0."""

    name = "moons"

    def __init__(self, noise: float = 0.05):
        self.noise = _check.number("noise", noise, minimum=0.0)
        self.shape = (2,)

    def sample(self, n, generator=None):
        n = _n(n)
        _check_generator(generator)
        t = math.pi * torch.rand(n, generator=generator)
        which = torch.randint(2, (n,), generator=generator).bool()
        upper = torch.stack([torch.cos(t), torch.sin(t)], dim=1)
        lower = torch.stack([1 - torch.cos(t), 0.5 - torch.sin(t)], dim=1)
        x = torch.where(which.unsqueeze(1), lower, upper) - torch.tensor([0.5, 0.25])
        return x + self.noise * torch.randn(n, 2, generator=generator)

    def spec(self):
        return {"kind": "moons", "noise": self.noise}


def spiral(turns: float = 1.5, scale: float = 2.0, noise: float = 0.05) -> Spiral:
    return Spiral(turns, scale, noise)


def moons(noise: float = 0.05) -> Moons:
    return Moons(noise)


class Points(DataSource):
    """The empirical distribution of a fixed set of points (e.g. ones a learner clicked),
    optionally blurred by ``jitter``: draw a stored point, add ``jitter * N(0, I)``."""

    name = "points"

    def __init__(self, points, jitter: float = 0.0):
        pts = torch.as_tensor(np.asarray(points, dtype=np.float32))
        if pts.ndim != 2 or pts.shape[0] < 1 or pts.shape[1] < 1:
            raise ValueError(f"points must be an array of shape [n_points, dim] with at least one point, got shape {tuple(pts.shape)}")
        if not bool(torch.isfinite(pts).all()):
            raise ValueError("points must all be finite numbers (found NaN or inf)")
        self.points = pts
        self.jitter = _check.number("jitter", jitter, minimum=0.0)
        self.shape = (pts.shape[1],)

    def sample(self, n, generator=None):
        n = _n(n)
        _check_generator(generator)
        idx = torch.randint(self.points.shape[0], (n,), generator=generator)
        x = self.points[idx]
        if self.jitter > 0:
            x = x + self.jitter * torch.randn(x.shape, generator=generator)
        return x

    def spec(self):
        return {"kind": "points", "points": self.points.clone(), "jitter": self.jitter}


def from_points(array_or_csv_path, jitter: float = 0.0) -> Points:
    """Data from your own points: an array ``[n, dim]`` or a CSV file of numbers
    (one point per row; a header row is skipped)."""
    src = array_or_csv_path
    if isinstance(src, (str, os.PathLike)):
        path = Path(src)
        if not path.is_file():
            raise FileNotFoundError(f"array_or_csv_path: no file at {str(path)!r}")
        try:
            arr = np.loadtxt(path, delimiter=",", ndmin=2, dtype=np.float64)
        except ValueError:
            try:
                arr = np.loadtxt(path, delimiter=",", ndmin=2, dtype=np.float64, skiprows=1)
            except ValueError as err:
                raise ValueError(f"array_or_csv_path: {str(path)!r} is not a CSV of numbers ({err})") from None
        return Points(arr, jitter)
    return Points(src, jitter)


TOY_DATASETS = {"ring": ring, "grid": grid, "two_gaussians": two_gaussians,
                "spiral": spiral, "moons": moons, "gaussian_1d": gaussian_1d}


# --------------------------------------------------------------------------- images
class ImageSet(DataSource):
    """A fixed set of images ``[N, C, H, W]`` scaled to [-1, 1] (tanh range), with labels."""

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, name: str, _spec: dict):
        self.images = images
        self.labels = labels
        self.name = name
        self.shape = tuple(images.shape[1:])
        self._spec = _spec

    def __len__(self) -> int:
        return self.images.shape[0]

    @property
    def classes(self) -> list[int]:
        return sorted(set(self.labels.tolist()))

    def sample(self, n, generator=None, return_labels: bool = False):
        n = _n(n)
        _check_generator(generator)
        idx = torch.randint(len(self), (n,), generator=generator)
        return (self.images[idx], self.labels[idx]) if return_labels else self.images[idx]

    def spec(self):
        return dict(self._spec)


def digits() -> ImageSet:
    """scikit-learn's 1797 handwritten 8x8 digits (they ship with scikit-learn: no download),
    as ``images`` Tensor[1797, 1, 8, 8] in [-1, 1] and ``labels`` Tensor[1797]."""
    from sklearn.datasets import load_digits

    d = load_digits()
    images = torch.as_tensor(d.images, dtype=torch.float32).unsqueeze(1) / 16.0 * 2 - 1
    labels = torch.as_tensor(d.target, dtype=torch.long)
    return ImageSet(images, labels, "digits", {"kind": "digits"})


_MNIST_HELP = (
    "No {title} files were found under {root!r}. This kit never downloads at run time. "
    "To get them: on a machine with internet run\n"
    "    python -c \"import gan_edu as ge; ge.data.mnist({root!r}, kind={kind!r}, download=True)\"\n"
    "and copy the resulting folder {folder!r} to the same place on this machine, or put the four IDX files "
    "(train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, "
    "optionally .gz) in {folder!r}."
)


def mnist(root, kind: str = "mnist", train: bool = True, download: bool = False, limit: int | None = None) -> ImageSet:
    """MNIST or Fashion-MNIST from local files (``kind="fashion"``), via ``torchvision.datasets``.

    Images become Tensor[N, 1, 28, 28] in [-1, 1]. ``download=False`` by default: if the files
    are missing you get a ``FileNotFoundError`` that says how to get them.
    ``limit`` keeps only the first ``limit`` images (handy on a laptop)."""
    from torchvision import datasets

    _check.one_of("kind", kind, ("mnist", "fashion"))
    _check.boolean("train", train)
    _check.boolean("download", download)
    if limit is not None:
        limit = _check.positive_int("limit", limit)
    cls = datasets.MNIST if kind == "mnist" else datasets.FashionMNIST
    root = os.path.expanduser(str(root))
    _gunzip_idx(os.path.join(root, cls.__name__, "raw"))
    try:
        ds = cls(root, train=train, download=download)
    except RuntimeError as err:
        title = "MNIST" if kind == "mnist" else "Fashion-MNIST"
        folder = os.path.join(root, cls.__name__, "raw")
        raise FileNotFoundError(_MNIST_HELP.format(title=title, root=root, kind=kind, folder=folder)) from err
    data = ds.data if limit is None else ds.data[:limit]
    targets = ds.targets if limit is None else ds.targets[:limit]
    images = data.float().div(255.0).mul(2).sub(1).unsqueeze(1)
    return ImageSet(images, targets.long(), kind,
                    {"kind": "mnist", "root": root, "mnist_kind": kind, "train": train, "limit": limit})


_IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def _gunzip_idx(folder: str) -> None:
    """torchvision reads the IDX files uncompressed: unpack any that are only there as .gz."""
    import gzip
    import shutil

    for name in _IDX_FILES:
        path = os.path.join(folder, name)
        if not os.path.isfile(path) and os.path.isfile(path + ".gz"):
            with gzip.open(path + ".gz", "rb") as src, open(path, "wb") as dst:
                shutil.copyfileobj(src, dst)


# --------------------------------------------------------------------------- rebuild
def from_spec(spec: dict) -> DataSource:
    """Rebuild a data source from ``source.spec()`` (used when loading checkpoints)."""
    if not isinstance(spec, dict) or "kind" not in spec:
        raise ValueError(f"spec must be a dict from DataSource.spec(), got {spec!r}")
    s = dict(spec)
    kind = s.pop("kind")
    if kind == "mixture":
        return GaussianMixture(s["centers"], s["std"], s.get("weights"), s.get("name", "mixture"))
    if kind == "points":
        return Points(s["points"], s.get("jitter", 0.0))
    if kind == "digits":
        return digits()
    if kind == "mnist":
        return mnist(s["root"], kind=s["mnist_kind"], train=s["train"], limit=s.get("limit"))
    if kind in TOY_DATASETS:
        return TOY_DATASETS[kind](**s)
    raise ValueError(f"unknown data kind {kind!r} in spec")


def plane_extent(data, margin: float = 0.5) -> tuple[float, float, float, float]:
    """(xmin, xmax, ymin, ymax) that frames a 2D data source with room around it."""
    if getattr(data, "centers", None) is not None and data.shape == (2,):
        c = data.centers.numpy()
        lo, hi = c.min(0) - 3 * data.std, c.max(0) + 3 * data.std
    else:
        x = data.sample(4000, generator=torch.Generator().manual_seed(0)).numpy()
        lo, hi = np.quantile(x, 0.002, axis=0), np.quantile(x, 0.998, axis=0)
    span = max(hi[0] - lo[0], hi[1] - lo[1])
    pad = margin * span / 2 + 1e-3
    cx, cy = (lo + hi) / 2
    r = span / 2 + pad
    return (float(cx - r), float(cx + r), float(cy - r), float(cy + r))
