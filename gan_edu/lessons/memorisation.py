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

The check itself lives in the core, :func:`gan_edu.evaluation.memorisation_check` (lesson 10 runs it on
classifier features too); this module adds what lesson 07 shows with it.
"""
from __future__ import annotations

import numpy as np
import torch

from .. import _check
from ..evaluation import Memorisation, Nearest, _features, memorisation_check, nearest_training

__all__ = ["Nearest", "nearest_training", "Memorisation", "memorisation_check", "mix_in_copies", "format_checks"]


def mix_in_copies(samples: torch.Tensor, train: torch.Tensor, share: float, seed: int = 0) -> torch.Tensor:
    """``samples`` with a ``share`` of them (chosen at random) replaced by random training images:
    a generator that copies part of the time, to see how much copying the check notices."""
    share = _check.number("share", share, minimum=0.0, maximum=1.0)
    x, t = _features("samples", samples, images=True), _features("train", train, images=True)
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
