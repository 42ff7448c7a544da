r"""Did G copy its training images? The nearest-neighbour check (lesson 07).

G never sees a training image, but D does, and D's gradient carries information about every
training example to G. With a small training set G can come to reproduce some of them. Whether
it did is not something you can see in a latent walk (G is continuous by construction, trained
or not, so every walk is smooth) nor in a sample's looks (a copy looks exactly like real data).
You measure it:

* for each **generated** sample, the distance to the closest image of the **training** set
  (:func:`nearest_training`);
* for each **held-out** real image (same distribution, never trained on), the same distance.

Held-out digits show how close a *new* digit typically lands to some training digit. A G that
generalises makes samples at about those distances; a G that copies makes many samples closer
than almost any new digit is, down to 0 for exact copies. :func:`memorisation_check` counts the
generated samples at or below the ``quantile`` of the held-out distances (the closest 5 % of new
digits by default): about ``quantile`` of them if G does not copy, far more if it does.

Distances are Euclidean between flattened images (pixel space; on the 8x8 digits in [-1, 1] the
largest possible is 16). Pixel distance 0 proves a copy; a small distance is a lead to look at,
which is why the lesson shows each suspect next to its nearest training image.

The same check, on any feature space, is :func:`gan_edu.evaluation.memorisation_check` (lesson 10).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

from .. import _check

__all__ = ["Nearest", "nearest_training", "Memorisation", "memorisation_check", "mix_in_copies", "format_checks"]


def _images(name: str, images) -> torch.Tensor:
    """``images`` [N, ...] (N >= 1, finite) flattened to float64 [N, D]."""
    if not isinstance(images, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of images [N, C, H, W], got {type(images).__name__}")
    if images.ndim < 2 or images.shape[0] < 1:
        raise ValueError(f"{name} must hold at least one image [N, C, H, W], got shape {tuple(images.shape)}")
    flat = images.detach().cpu().double().flatten(1)
    if not bool(torch.isfinite(flat).all()):
        raise ValueError(f"{name} must be finite numbers (found NaN or inf)")
    return flat


class Nearest(NamedTuple):
    distance: torch.Tensor    #: [N] Euclidean distance from each image to its closest training image
    index: torch.Tensor       #: [N] index of that training image in ``train``


def nearest_training(images: torch.Tensor, train: torch.Tensor, chunk: int = 1024) -> Nearest:
    """For each of ``images`` [N, C, H, W], its closest image in ``train`` [T, C, H, W] (same
    C, H, W): the distance and the index. Exact (brute force, float64), ``chunk`` rows at a time."""
    x, t = _images("images", images), _images("train", train)
    if x.shape[1] != t.shape[1]:
        raise ValueError(f"images and train must have the same image shape, got {tuple(images.shape[1:])} and "
                         f"{tuple(train.shape[1:])}")
    chunk = _check.positive_int("chunk", chunk)
    dist, idx = [], []
    for start in range(0, len(x), chunk):
        d = torch.cdist(x[start:start + chunk], t)          # [chunk, T]
        best = d.min(1)
        dist.append(best.values)
        idx.append(best.indices)
    return Nearest(torch.cat(dist), torch.cat(idx))


class Memorisation(NamedTuple):
    generated: np.ndarray         #: [M] distance from each generated sample to its closest training image
    held_out: np.ndarray          #: [H] the same for each held-out real image
    nearest: np.ndarray           #: [M] index (into the training images) of each generated sample's closest one
    held_out_nearest: np.ndarray  #: [H] the same for the held-out images
    threshold: float              #: the ``quantile`` of ``held_out``: "as close as the closest new digits"
    quantile: float
    share: float                  #: share of generated samples at distance <= threshold (about quantile if no copying)
    exact_copies: float           #: share of generated samples identical to a training image (distance < 1e-6)

    @property
    def median_ratio(self) -> float:
        """Median distance of the generated samples / that of the held-out images (near 0 for a copier)."""
        held = float(np.median(self.held_out))
        return float(np.median(self.generated)) / held if held > 0 else float("inf")

    def closest(self, k: int = 8, which: str = "generated") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The ``k`` images of ``which`` ("generated" or "held_out") closest to a training image, closest
        first: ``(their indices, their nearest training images' indices, the distances)`` -- the suspects."""
        _check.one_of("which", which, ("generated", "held_out"))
        dist, nearest = (self.generated, self.nearest) if which == "generated" else (self.held_out, self.held_out_nearest)
        order = np.argsort(dist, kind="stable")[:_check.positive_int("k", k)]
        return order, nearest[order], dist[order]

    def summary(self) -> str:
        return (f"{100 * self.share:.1f} % of the samples are as close to a training image as the closest "
                f"{100 * self.quantile:g} % of held-out digits (about {100 * self.quantile:g} % without copying); "
                f"{100 * self.exact_copies:.1f} % are exact copies")


def memorisation_check(generated: torch.Tensor, train: torch.Tensor, held_out: torch.Tensor,
                       quantile: float = 0.05) -> Memorisation:
    """The nearest-neighbour check: are ``generated`` images closer to the ``train`` images than
    ``held_out`` real images (never trained on) are? See the module docstring. All three are image
    tensors [N, C, H, W] of one shape; distances in pixel space."""
    quantile = _check.number("quantile", quantile, minimum=0.0, strict_min=True, maximum=0.5)
    gen = nearest_training(generated, train)
    held = nearest_training(held_out, train)
    threshold = float(torch.quantile(held.distance, quantile))
    return Memorisation(gen.distance.numpy(), held.distance.numpy(), gen.index.numpy(), held.index.numpy(), threshold,
                        quantile, float((gen.distance <= threshold).double().mean()),
                        float((gen.distance < 1e-6).double().mean()))


def mix_in_copies(samples: torch.Tensor, train: torch.Tensor, share: float, seed: int = 0) -> torch.Tensor:
    """``samples`` with a ``share`` of them (chosen at random) replaced by random training images:
    a generator that copies part of the time, to see how much copying the check notices."""
    share = _check.number("share", share, minimum=0.0, maximum=1.0)
    x, t = _images("samples", samples), _images("train", train)
    if x.shape[1] != t.shape[1]:
        raise ValueError("samples and train must have the same image shape")
    g = torch.Generator().manual_seed(_check.integer("seed", seed, minimum=0))
    k = round(share * len(samples))
    out = samples.detach().clone()
    which = torch.randperm(len(samples), generator=g)[:k]
    out[which] = train[torch.randint(len(train), (k,), generator=g)].to(out.dtype)
    return out


def format_checks(checks: dict) -> str:
    """A text table of ``{name: Memorisation}`` (all against the same training and held-out images):
    the median distance to the nearest training image, the share flagged and the share of exact
    copies, with the held-out images' own row first (the yardstick) and a line on the threshold."""
    if not isinstance(checks, dict) or not checks or not all(isinstance(c, Memorisation) for c in checks.values()):
        raise ValueError("checks must be a non-empty dict {name: Memorisation}")
    first = next(iter(checks.values()))
    held_flagged = float(np.mean(first.held_out <= first.threshold))
    rows = [("held-out real digits", float(np.median(first.held_out)), held_flagged, None)]
    rows += [(str(name), float(np.median(c.generated)), c.share, c.exact_copies) for name, c in checks.items()]
    width = max(len(r[0]) for r in rows)
    lines = [f"{'':<{width}}  median distance  flagged  exact copies"]
    for name, median, flagged, exact in rows:
        copies = "-" if exact is None else f"{100 * exact:.1f} %"
        lines.append(f"{name:<{width}}  {median:>15.2f}  {100 * flagged:>5.1f} %  {copies:>12}")
    lines.append(f"(flagged: within {first.threshold:.2f} of a training image, like the closest "
                 f"{100 * first.quantile:g} % of held-out digits)")
    return "\n".join(lines)
