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

import contextlib
import inspect
import math
import os
from pathlib import Path

import numpy as np
import torch

from . import _check, _files

__all__ = [
    "DataSource", "GaussianMixture", "Spiral", "Moons", "Points", "ImageSet",
    "ring", "grid", "gaussian_1d", "two_gaussians", "spiral", "moons", "from_points",
    "digits", "mnist", "subset", "clustered", "draw_labels", "from_spec", "plane_extent", "TOY_DATASETS",
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


#: the most numbers one ``sample()`` call may return (2**28 float32 numbers = 1 GiB)
MAX_SAMPLE_NUMBERS = 2 ** 28


def _n(n, shape) -> int:
    n = _check.positive_int("n", n)
    per_sample = math.prod(shape)
    if n * per_sample > MAX_SAMPLE_NUMBERS:
        raise ValueError(f"n={n} samples of shape {tuple(shape)} would take {n * per_sample * 4 / 2 ** 30:.1f} GiB; "
                         f"draw at most {MAX_SAMPLE_NUMBERS // per_sample} at a time")
    return n


def _check_generator(generator) -> None:
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")


def _float32(name: str, arr: np.ndarray) -> torch.Tensor:
    """A checked float64 array as float32, refusing numbers too large for float32 (they become inf)."""
    out = torch.as_tensor(arr, dtype=torch.float32)
    if not bool(torch.isfinite(out).all()):
        raise ValueError(f"{name} has numbers too large for float32 (about 3.4e38 at most)")
    return out


def _weights(weights, k: int) -> np.ndarray:
    w = _check.array("weights", weights)
    if w.shape != (k,) or bool((w < 0).any()) or float(w.sum()) <= 0:
        raise ValueError(f"weights must be {k} non-negative numbers (one per centre) with a positive sum, got {weights!r}")
    return w / w.sum()


# --------------------------------------------------------------------------- mixtures
class GaussianMixture(DataSource):
    r"""Isotropic Gaussian mixture: centre ``k`` chosen with probability ``w_k``,
    then ``x = centers[k] + std * eps`` with ``eps ~ N(0, I)``."""

    def __init__(self, centers, std: float, weights=None, name: str = "mixture", _spec=None):
        c = _check.array("centers", centers)
        if c.ndim != 2:
            raise ValueError(f"centers must have shape [n_modes, dim], got shape {c.shape}")
        self.centers = _float32("centers", c)
        self.std = _check.positive("std", std)
        k = c.shape[0]
        if weights is None:
            self.weights = torch.full((k,), 1.0 / k)
        else:
            self.weights = torch.as_tensor(_weights(weights, k)).float()
        self._uniform = weights is None
        if not isinstance(name, str):
            raise TypeError(f"name must be a string, got {name!r}")
        self.name = name
        self.shape = (c.shape[1],)
        self._spec = _spec or {"kind": "mixture", "centers": self.centers.tolist(), "std": self.std,
                               "weights": None if weights is None else self.weights.tolist(), "name": name}

    @property
    def n_modes(self) -> int:
        return self.centers.shape[0]

    def sample(self, n, generator=None, return_modes: bool = False):
        n = _n(n, self.shape)
        _check_generator(generator)
        _check.boolean("return_modes", return_modes)
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
        xt = torch.as_tensor(_check.array("x", x, allow_empty=True) if as_numpy else x, dtype=torch.float64)
        if not as_numpy and not bool(torch.isfinite(xt).all()):
            raise ValueError(f"x must be finite numbers, but {int((~torch.isfinite(xt)).sum())} of its values are NaN or inf")
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


#: the most Gaussians a ring or grid may have (mode coverage compares every sample with every centre)
MAX_MODES = 10_000


def ring(n_modes: int = 8, radius: float = 1.0, std: float = 0.01) -> GaussianMixture:
    """``n_modes`` Gaussians evenly spaced on a circle -- the classic mode-collapse test."""
    n_modes = _check.integer("n_modes", n_modes, minimum=1, maximum=MAX_MODES)
    radius = _check.positive("radius", radius)
    std = _check.positive("std", std)
    angles = 2 * math.pi * np.arange(n_modes) / n_modes
    centers = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return GaussianMixture(centers, std, name="ring",
                           _spec={"kind": "ring", "n_modes": n_modes, "radius": radius, "std": std})


def grid(n: int = 5, spacing: float = 2.0, std: float = 0.05) -> GaussianMixture:
    """An ``n x n`` grid of Gaussians centred on the origin (5x5, spacing 2: from -4 to 4)."""
    n = _check.integer("n", n, minimum=1, maximum=int(MAX_MODES ** 0.5))
    spacing = _check.positive("spacing", spacing)
    std = _check.positive("std", std)
    ticks = (np.arange(n) - (n - 1) / 2) * spacing
    xx, yy = np.meshgrid(ticks, ticks, indexing="xy")
    centers = np.stack([xx.ravel(), yy.ravel()], axis=1)
    return GaussianMixture(centers, std, name="grid",
                           _spec={"kind": "grid", "n": n, "spacing": spacing, "std": std})


def gaussian_1d(mean: float = 0.0, std: float = 1.0) -> GaussianMixture:
    """One Gaussian on the line, N(mean, std^2); samples have shape ``[n, 1]``."""
    mean = _check.number("mean", mean)
    std = _check.positive("std", std)
    return GaussianMixture([[mean]], std, name="gaussian_1d",
                           _spec={"kind": "gaussian_1d", "mean": mean, "std": std})


def two_gaussians(separation: float = 3.0, std: float = 0.3, weights=None) -> GaussianMixture:
    """Two 2D Gaussians at ``(-separation/2, 0)`` and ``(+separation/2, 0)``."""
    separation = _check.positive("separation", separation)
    std = _check.positive("std", std)
    if weights is not None:
        _weights(weights, 2)
        weights = _check.array("weights", weights).tolist()
    h = separation / 2
    return GaussianMixture([[-h, 0.0], [h, 0.0]], std, weights=weights, name="two_gaussians",
                           _spec={"kind": "two_gaussians", "separation": separation, "std": std, "weights": weights})


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
        n = _n(n, self.shape)
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
        n = _n(n, self.shape)
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
        pts = _check.array("points", points)
        if pts.ndim != 2:
            raise ValueError(f"points must be an array of shape [n_points, dim] with at least one point, got shape {pts.shape}")
        self.points = _float32("points", pts)
        self.jitter = _check.number("jitter", jitter, minimum=0.0)
        self.shape = (pts.shape[1],)

    def sample(self, n, generator=None):
        n = _n(n, self.shape)
        _check_generator(generator)
        idx = torch.randint(self.points.shape[0], (n,), generator=generator)
        x = self.points[idx]
        if self.jitter > 0:
            x = x + self.jitter * torch.randn(x.shape, generator=generator)
        return x

    def spec(self):
        return {"kind": "points", "points": self.points.clone(), "jitter": self.jitter}


def from_points(array_or_csv_path, jitter: float = 0.0) -> Points:
    """Data from your own points: an array ``[n, dim]`` or a CSV file of numbers, one point per
    row, values separated by commas. A first row in which no value is a number is a header and
    is skipped; blank lines and lines starting with ``#`` are skipped too."""
    src = array_or_csv_path
    if isinstance(src, (str, os.PathLike)):
        return Points(_read_csv(Path(src)), jitter)
    return Points(src, jitter)


def _read_csv(path: Path) -> np.ndarray:
    """The numbers of a CSV file as an array [rows, columns]; errors name the file line."""
    where = f"array_or_csv_path: {str(path)!r}"
    if not path.is_file():
        raise FileNotFoundError(f"{where}: {'is a folder, not a file' if path.is_dir() else 'no file there'}")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{where} is not a text file of comma-separated numbers (it is not UTF-8 text)") from None
    rows: list[list[float]] = []
    header = first = None
    for lineno, line in enumerate(text.splitlines(), start=1):
        fields = [f.strip() for f in line.split(",")]
        if fields == [""] or fields[0].startswith("#"):
            continue
        values = [_number_or_none(f) for f in fields]
        if not rows and header is None and all(v is None for v in values):
            header = lineno                                   # e.g. "x,y": no value is a number
            continue
        for f, v in zip(fields, values):
            if v is None:
                sep = " (values must be separated by commas)" if any(c in f for c in "; \t") else ""
                raise ValueError(f"{where}, line {lineno}: {f!r} is not a number{sep}")
            if not math.isfinite(v):
                raise ValueError(f"{where}, line {lineno}: {f!r} is not a finite number")
        if rows and len(values) != len(rows[0]):
            raise ValueError(f"{where}, line {lineno} has {len(values)} value(s) but line {first} has {len(rows[0])}; "
                             f"every point needs the same number of coordinates")
        first = first or lineno
        rows.append(values)
    if not rows:
        what = f"only a header (line {header})" if header else "no lines with numbers"
        raise ValueError(f"{where} has {what}; it needs at least one row of comma-separated numbers")
    return np.array(rows, dtype=np.float64)


def _number_or_none(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


TOY_DATASETS = {"ring": ring, "grid": grid, "two_gaussians": two_gaussians,
                "spiral": spiral, "moons": moons, "gaussian_1d": gaussian_1d}


# --------------------------------------------------------------------------- images
class ImageSet(DataSource):
    """A fixed set of images ``[N, C, H, W]`` scaled to [-1, 1] (tanh range), with labels."""

    #: for a set made by :func:`clustered`: the set it was clustered from, with its own labels
    of: ImageSet | None = None

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, name: str, _spec: dict):
        if not isinstance(images, torch.Tensor) or not images.is_floating_point() or images.ndim != 4 or not len(images):
            raise TypeError(f"images must be a float tensor [N, C, H, W] with N >= 1, got "
                            f"{tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__}")
        if not isinstance(labels, torch.Tensor) or labels.is_floating_point() or labels.ndim != 1:
            raise TypeError(f"labels must be an integer tensor [N], got "
                            f"{tuple(labels.shape) if isinstance(labels, torch.Tensor) else type(labels).__name__}")
        if len(labels) != len(images):
            raise ValueError(f"{len(images)} images but {len(labels)} labels: every image needs exactly one label")
        lo, hi = float(images.min()), float(images.max())
        if not (-1.0 <= lo and hi <= 1.0):          # also refuses NaN
            raise ValueError(f"images must be scaled to [-1, 1] (the range of the generator's tanh), got values "
                             f"from {lo:g} to {hi:g}; for 0..255 pixels use x / 127.5 - 1")
        self.images = images
        self.labels = labels.long()
        self.name = name
        self.shape = tuple(images.shape[1:])
        self._spec = _spec

    def __len__(self) -> int:
        return self.images.shape[0]

    @property
    def classes(self) -> list[int]:
        return sorted(set(self.labels.tolist()))

    def sample(self, n, generator=None, return_labels: bool = False):
        n = _n(n, self.shape)
        _check_generator(generator)
        _check.boolean("return_labels", return_labels)
        idx = torch.randint(len(self), (n,), generator=generator)
        return (self.images[idx], self.labels[idx]) if return_labels else self.images[idx]

    def draw_labels(self, n, generator=None) -> torch.Tensor:
        """``n`` class indices [n] drawn at the data's own class frequencies (e.g. the clusters a
        self-conditioned G should be asked for, so its samples follow the data's mix of clusters)."""
        return draw_labels(self.labels, n, generator)

    def spec(self):
        return dict(self._spec)


def subset(data: ImageSet, indices, part: str = "part") -> ImageSet:
    """The images of ``data`` at ``indices`` (e.g. a training split), as an image set of its own whose
    spec names the whole set and the indices, so a checkpoint of a trainer on it rebuilds exactly
    this part (:func:`from_spec`), never silently the whole set."""
    if not isinstance(data, ImageSet):
        raise TypeError(f"data must be an image set (e.g. ge.data.digits()), got {type(data).__name__}")
    idx = torch.as_tensor(indices)
    if idx.is_floating_point() or idx.ndim != 1 or not len(idx):
        raise ValueError(f"indices must be a non-empty 1D list of whole numbers, got shape {tuple(idx.shape)}")
    idx = idx.long()
    if int(idx.min()) < 0 or int(idx.max()) >= len(data):
        raise ValueError(f"indices must lie in [0, {len(data) - 1}] (data has {len(data)} images), "
                         f"got {int(idx.min())}..{int(idx.max())}")
    if not isinstance(part, str):
        raise TypeError(f"part must be a string naming the part, got {type(part).__name__}")
    return ImageSet(data.images[idx].clone(), data.labels[idx].clone(), f"{data.name} ({part})",
                    {"kind": "subset", "part": part, "of": data.spec(), "indices": idx.tolist()})


#: the most clusters :func:`clustered` makes (each image is compared with every centre on every round)
MAX_CLUSTERS = 1000


def clustered(data: ImageSet, k: int = 30, seed: int = 0) -> ImageSet:
    """The same images with **k-means clusters of their pixels as labels**: the labels a
    "self-conditioned" GAN (Liu et al. 2020) is trained on when it may not use the real labels.
    The data's own labels are never read. k-means++ starts from ``seed``, then Lloyd rounds run until
    no image changes cluster (at most 100). Clusters are numbered by size, largest first; one that
    ends empty is dropped, so the labels are 0 .. K-1 with K <= k. ``result.of`` is ``data``, its
    own labels included. Deterministic: the same images, ``k`` and ``seed`` give the same labels; the
    spec stores them, so a checkpoint of a trainer on the result rebuilds exactly these clusters
    (:func:`from_spec`)."""
    if not isinstance(data, ImageSet):
        raise TypeError(f"data must be an image set (e.g. ge.data.digits()), got {type(data).__name__}")
    k = _check.integer("k", k, minimum=2, maximum=min(MAX_CLUSTERS, len(data)))
    seed = _check.integer("seed", seed, minimum=0)
    x = data.images.flatten(1).double()                                         # [N, C*H*W]
    g = torch.Generator().manual_seed(seed)
    centres = x[torch.randint(len(x), (1,), generator=g)]                       # k-means++: far points likelier
    for _ in range(k - 1):
        d2 = _distances(x, centres).min(dim=1).values ** 2                      # [N]
        pick = torch.multinomial(d2, 1, generator=g) if float(d2.sum()) > 0 else torch.randint(len(x), (1,), generator=g)
        centres = torch.cat([centres, x[pick]])
    assign = _distances(x, centres).argmin(dim=1)                               # [N]
    for _ in range(100):
        centres = torch.stack([x[assign == j].mean(dim=0) if bool((assign == j).any()) else centres[j]
                               for j in range(k)])
        new = _distances(x, centres).argmin(dim=1)
        if torch.equal(new, assign):
            break
        assign = new
    sizes = torch.bincount(assign, minlength=k)
    order = sorted((j for j in range(k) if sizes[j] > 0), key=lambda j: (-int(sizes[j]), j))
    relabel = torch.full((k,), -1, dtype=torch.long)
    relabel[order] = torch.arange(len(order))
    return _clustered_from(data, k, seed, relabel[assign].tolist())


def _distances(x: torch.Tensor, centres: torch.Tensor) -> torch.Tensor:
    """Euclidean distances [N, K], computed directly (not by matrix product): the same bits on any number of threads."""
    return torch.cdist(x, centres, compute_mode="donot_use_mm_for_euclid_dist")


def draw_labels(labels, n, generator=None) -> torch.Tensor:
    """``n`` class indices [n] drawn with replacement at the shares the classes have in ``labels``
    (class indices >= 0, e.g. a clustered set's spec["labels"])."""
    n = _check.positive_int("n", n)
    _check_generator(generator)
    counts = torch.bincount(torch.as_tensor(labels)).double()
    return torch.multinomial(counts, n, replacement=True, generator=generator)


def _clustered_from(data: ImageSet, k: int, seed: int, labels: list) -> ImageSet:
    labels = torch.as_tensor(labels)
    if labels.is_floating_point() or labels.shape != (len(data),) or int(labels.min()) < 0 or int(labels.max()) >= k:
        raise ValueError(f"a clustered spec needs one cluster index in [0, {k - 1}] for each of the {len(data)} images")
    out = ImageSet(data.images, labels.long(), f"{data.name}, {int(labels.max()) + 1} k-means clusters",
                   {"kind": "clustered", "of": data.spec(), "k": k, "seed": seed, "labels": labels.tolist()})
    out.of = data                     # its own labels: to judge samples by digit, not by cluster
    return out


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
_MNIST_FOLDERS = {"mnist": ("MNIST", "MNIST"), "fashion": ("FashionMNIST", "Fashion-MNIST")}


def mnist(root, kind: str = "mnist", train: bool = True, download: bool = False, limit: int | None = None) -> ImageSet:
    """MNIST or Fashion-MNIST (``kind="fashion"``) from the IDX files in ``root/MNIST/raw``
    (``root/FashionMNIST/raw``), as torchvision lays them out; each file may be there as ``.gz``.

    Images become Tensor[N, 1, 28, 28] in [-1, 1]. ``download=False`` by default: if the files
    are missing you get a ``FileNotFoundError`` that says how to get them; a damaged, truncated
    or mismatched file gives a ``ValueError`` that names it. ``limit`` keeps only the first
    ``limit`` images (handy on a laptop)."""
    if not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"root must be a folder path (str or pathlib.Path), got {type(root).__name__}")
    _check.one_of("kind", kind, _MNIST_FOLDERS)
    _check.boolean("train", train)
    _check.boolean("download", download)
    if limit is not None:
        limit = _check.positive_int("limit", limit)
    root = os.path.expanduser(os.fspath(root))
    folder, title = _MNIST_FOLDERS[kind]
    raw = Path(root, folder, "raw")
    if download:
        from torchvision import datasets

        (datasets.MNIST if kind == "mnist" else datasets.FashionMNIST)(root, train=train, download=True)
    split = "train" if train else "t10k"
    names = (f"{split}-images-idx3-ubyte", f"{split}-labels-idx1-ubyte")
    missing = [n for n in names if not (raw / n).is_file() and not (raw / f"{n}.gz").is_file()]
    if len(missing) == 2:
        raise FileNotFoundError(_MNIST_HELP.format(title=title, root=root, kind=kind, folder=str(raw)))
    if missing:
        raise FileNotFoundError(f"{title} in {str(raw)!r} is incomplete: {missing[0]} (or {missing[0]}.gz) is missing; "
                                f"put it beside {names[names.index(missing[0]) - 1]}")
    images = _idx_array(raw, names[0], (28, 28))
    labels = _idx_array(raw, names[1], ())
    if len(images) != len(labels):
        raise ValueError(f"{title} in {str(raw)!r}: {names[0]} holds {len(images)} images but {names[1]} holds "
                         f"{len(labels)} labels; the two files must come from the same download")
    if labels.max() > 9:
        raise ValueError(f"{title} in {str(raw)!r}: {names[1]} holds a label {int(labels.max())}; labels are digits 0-9")
    images, labels = images[:limit], labels[:limit]
    x = torch.from_numpy(images.astype(np.float32)).div_(255.0).mul_(2).sub_(1).unsqueeze(1)
    return ImageSet(x, torch.from_numpy(labels.astype(np.int64)), kind,
                    {"kind": "mnist", "root": root, "mnist_kind": kind, "train": train, "limit": limit})


# --------------------------------------------------------------------------- IDX files
def _idx_array(folder: Path, name: str, item_shape: tuple[int, ...]) -> np.ndarray:
    """The uint8 array stored in ``folder/name`` (or ``name.gz``), checked against its header.

    A valid unpacked file is read as it is. Otherwise the ``.gz`` is unpacked in memory, checked,
    and kept for next time -- beside it (written to a temporary name, then renamed, so an
    interrupted unpack never leaves a broken file), or in :func:`gan_edu._files.cache_dir` when
    that folder is read-only."""
    plain, gz = folder / name, folder / f"{name}.gz"
    problem = None
    if plain.is_file():
        try:
            return _parse_idx(plain, plain.read_bytes(), item_shape)
        except ValueError as err:
            problem = err
    if not gz.is_file():
        raise problem
    cached = _cache_path(gz)
    if cached.is_file():
        with contextlib.suppress(ValueError, OSError):
            return _parse_idx(cached, cached.read_bytes(), item_shape)
    data = _gunzip(gz)
    arr = _parse_idx(gz, data, item_shape)
    for target in (plain, cached):
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _files.write_bytes(target, data)
            break
        except OSError:                  # a read-only folder: try the cache; failing that, unpack again next time
            continue
    return arr


def _gunzip(gz: Path) -> bytes:
    import gzip
    import zlib

    try:
        with gzip.open(gz, "rb") as f:
            return f.read()
    except (OSError, EOFError, zlib.error) as err:
        raise ValueError(f"{str(gz)!r} is damaged ({err}); download it again or delete it") from None


def _cache_path(gz: Path) -> Path:
    """Where the unpacked copy of ``gz`` lives when its own folder is read-only: the name carries the
    .gz's full path, size and time, so a replaced .gz is never paired with an old copy."""
    import hashlib

    st = gz.stat()
    key = hashlib.sha1(f"{gz.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode()).hexdigest()[:16]
    return _files.cache_dir() / "idx" / key / gz.name[:-3]


def _parse_idx(path: Path, data: bytes, item_shape: tuple[int, ...]) -> np.ndarray:
    """An IDX file (big-endian header: 0, 0, type 0x08 = uint8, ndim; then ndim sizes; then the bytes)."""
    ndim = 1 + len(item_shape)
    what = "images" if item_shape else "labels"
    if len(data) < 4 + 4 * ndim:
        raise ValueError(f"{str(path)!r} is {'empty' if not data else 'truncated'} ({len(data)} bytes); "
                         f"it should be an MNIST IDX file of {what}: download it again")
    if data[:4] != bytes([0, 0, 0x08, ndim]):
        raise ValueError(f"{str(path)!r} is not an MNIST IDX file of {what} (it starts with {data[:4].hex()}, "
                         f"expected {bytes([0, 0, 0x08, ndim]).hex()}); download it again")
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    if shape[1:] != item_shape or shape[0] < 1:
        raise ValueError(f"{str(path)!r} holds {what} of shape {shape}, expected [N{''.join(f', {d}' for d in item_shape)}]")
    expected = 4 + 4 * ndim + math.prod(shape)
    if len(data) != expected:
        state = "truncated" if len(data) < expected else "longer than its header says"
        raise ValueError(f"{str(path)!r} is {state} ({len(data)} bytes, its header announces {expected}); "
                         f"download it again")
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


# --------------------------------------------------------------------------- rebuild
def from_spec(spec: dict) -> DataSource:
    """Rebuild a data source from ``source.spec()`` (used when loading checkpoints)."""
    if not isinstance(spec, dict):
        raise TypeError(f"spec must be a dict from DataSource.spec(), got {type(spec).__name__}")
    builders = {
        "mixture": lambda centers, std, weights=None, name="mixture": GaussianMixture(centers, std, weights, name),
        "points": lambda points, jitter=0.0: Points(points, jitter),
        "digits": digits,
        "mnist": lambda root, mnist_kind="mnist", train=True, limit=None: mnist(root, mnist_kind, train, limit=limit),
        "subset": lambda of, indices, part="part": subset(from_spec(of), indices, part),
        "clustered": lambda of, k, seed, labels: _clustered_from(from_spec(of), k, seed, labels),
        **TOY_DATASETS,
    }
    kind = spec.get("kind")
    if not isinstance(kind, str) or kind not in builders:
        raise ValueError(f"spec['kind'] must be one of {', '.join(map(repr, builders))}; got {kind!r}")
    build = builders[kind]
    params = inspect.signature(build).parameters
    args = {k: v for k, v in spec.items() if k != "kind"}
    unknown = sorted(map(str, set(args) - set(params)))
    missing = [p for p, v in params.items() if v.default is inspect.Parameter.empty and p not in args]
    if unknown or missing:
        raise ValueError(f"spec of kind {kind!r} " + (f"has unknown keys {unknown}" if unknown else f"lacks {missing}")
                         + f"; it takes {list(params)}")
    return build(**args)


def plane_extent(data, margin: float = 0.5) -> tuple[float, float, float, float]:
    """(xmin, xmax, ymin, ymax) that frames a 2D data source with room around it."""
    if not isinstance(data, DataSource) or tuple(data.shape) != (2,):
        raise ValueError(f"data must be a 2D data source (samples of shape (2,)), got {data!r}")
    margin = _check.number("margin", margin, minimum=0.0)
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
