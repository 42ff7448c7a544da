r"""An *independent* judge of generated digits (lessons 07, 09, 10 and the digits benchmark).

The kit's own :class:`~gan_edu.lessons.classifier.DigitClassifier` is a small CNN trained with
torch; its penultimate features are also what the kit's metrics (Fréchet distance, KID,
precision/recall) are computed on. A generator judged only by that network is judged by the
features it may have learned to please. So we also ask a judge that shares nothing with it:

* a different model family: multinomial logistic regression on the raw 64 pixels (a linear
  model; no convolutions, no learned features);
* a different library and optimiser: scikit-learn's L-BFGS, not torch's Adam;
* the same held-out split as the rest of the kit (:func:`~gan_edu.lessons.classifier.hold_out`):
  the held-out digits are never seen by the judge, so its confidence on them is the yardstick a
  generator is compared with.

What it gives:

* :func:`independent_classifier` -- fits the judge (well under a second) and reports its
  held-out accuracy (about 98 % on the 8x8 digits);
* :func:`agreement` -- the share of samples the judge puts in the class that was asked for
  (a conditional G's "draw me a 7" checked);
* :func:`confidence` -- the judge's max class probability per image;
* :func:`confidence_ratio` -- mean confidence on generated samples / on held-out real digits:
  about 1 means "classified as confidently as real digits"; blur and noise push it down.

A confident judge is not proof of a good digit (a linear model can be sure about odd images),
and it says nothing about diversity within a class or about copying: see lesson 10.
sklearn is imported inside the functions, so importing this module stays cheap.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

from .. import _check
from .. import data as data_mod
from .classifier import HeldOut, hold_out

__all__ = ["Judge", "independent_classifier", "agreement", "confidence", "confidence_ratio"]


class Judge(NamedTuple):
    model: object              #: the fitted scikit-learn classifier (``predict_proba`` on [N, C*H*W] pixels)
    shape: tuple               #: the image shape (C, H, W) it was fitted on
    n_classes: int             #: number of classes K (labels 0 .. K-1)
    accuracy: float            #: accuracy on the held-out real images
    split: HeldOut             #: the training part it learnt from and the held-out part it never saw

    @property
    def held_out_images(self) -> torch.Tensor:
        """The held-out real images [M, C, H, W] (never seen by the judge)."""
        return self.split.held_out.images

    @property
    def held_out_labels(self) -> torch.Tensor:
        """Their labels [M]."""
        return self.split.held_out.labels

    def proba(self, images: torch.Tensor) -> torch.Tensor:
        """Class probabilities [N, K] for ``images`` [N, C, H, W] in [-1, 1]."""
        x = _check_images(self, "images", images)
        p = self.model.predict_proba(x.flatten(1).double().numpy())          # [N, K]
        return torch.as_tensor(np.asarray(p), dtype=torch.float32)


def _check_images(judge: Judge, name: str, images) -> torch.Tensor:
    if not isinstance(images, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor [N, C, H, W], got {type(images).__name__}")
    if images.ndim != 4 or images.shape[0] < 1 or tuple(images.shape[1:]) != tuple(judge.shape):
        raise ValueError(f"{name} must have shape [N, {', '.join(map(str, judge.shape))}] with N >= 1 "
                         f"(the images the judge was fitted on), got {tuple(images.shape)}")
    x = images.detach().float().cpu()
    if not torch.isfinite(x).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


def _check_judge(judge) -> Judge:
    if not isinstance(judge, Judge):
        raise TypeError(f"judge must be the Judge returned by independent_classifier(), got {type(judge).__name__}")
    return judge


def independent_classifier(data: data_mod.ImageSet | None = None, seed: int = 0, test_fraction: float = 0.25,
                           strength: float = 1.0) -> Judge:
    """Fit the independent judge: multinomial logistic regression (scikit-learn, L-BFGS) on the
    pixels of the training part of ``data`` (default: ``ge.data.digits()``), split by
    :func:`~gan_edu.lessons.classifier.hold_out` with ``test_fraction`` and ``seed`` -- the same
    split lessons 07 and 10 use, so the held-out digits are never seen. ``strength`` is the inverse
    L2 penalty (scikit-learn's ``C``). Deterministic: the same arguments give the same judge."""
    from sklearn.linear_model import LogisticRegression

    data = data_mod.digits() if data is None else data
    if not isinstance(data, data_mod.ImageSet):
        raise TypeError(f"data must be an image set with labels (e.g. ge.data.digits()), got {type(data).__name__}")
    strength = _check.positive("strength", strength)
    split = hold_out(data, test_fraction, _check.integer("seed", seed, minimum=0))
    classes = data.classes
    if classes != list(range(len(classes))):
        raise ValueError(f"data's labels must be 0 .. K-1, got classes {classes}")
    x = split.train.images.flatten(1).double().numpy()                     # [N_train, C*H*W]
    model = LogisticRegression(C=strength, max_iter=5000)
    model.fit(x, split.train.labels.numpy())
    judge = Judge(model, tuple(data.shape), len(classes), 0.0, split)
    accuracy = float((judge.proba(split.held_out.images).argmax(1) == split.held_out.labels).float().mean())
    return judge._replace(accuracy=accuracy)


def confidence(judge: Judge, images: torch.Tensor) -> torch.Tensor:
    """The judge's confidence per image: its largest class probability, Tensor [N] in [1/K, 1]."""
    return _check_judge(judge).proba(images).max(dim=1).values


def agreement(judge: Judge, images: torch.Tensor, labels) -> float:
    """The share of ``images`` the judge classifies as the class in ``labels`` (one class index per
    image, e.g. the classes a conditional G was asked for)."""
    judge = _check_judge(judge)
    x = _check_images(judge, "images", images)
    if not isinstance(labels, torch.Tensor) or labels.is_floating_point() or labels.dtype == torch.bool:
        raise TypeError(f"labels must be an integer tensor of class indices, got "
                        f"{labels.dtype if isinstance(labels, torch.Tensor) else type(labels).__name__}")
    if tuple(labels.shape) != (len(x),):
        raise ValueError(f"labels must have shape [{len(x)}] (one class per image), got {tuple(labels.shape)}")
    if labels.min() < 0 or labels.max() >= judge.n_classes:
        raise ValueError(f"labels must lie in 0 .. {judge.n_classes - 1}, got values "
                         f"{int(labels.min())} .. {int(labels.max())}")
    return float((judge.proba(x).argmax(1) == labels.cpu()).float().mean())


def confidence_ratio(judge: Judge, generated: torch.Tensor, held_out_real: torch.Tensor | None = None) -> float:
    """mean :func:`confidence` on ``generated`` / mean confidence on ``held_out_real`` (default: the
    judge's own held-out digits). About 1: samples are classified as confidently as real digits."""
    judge = _check_judge(judge)
    real = judge.held_out_images if held_out_real is None else held_out_real
    return float(confidence(judge, generated).mean() / confidence(judge, real).mean())
