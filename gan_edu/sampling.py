"""Looking at the networks without changing training: ``sample()`` and ``d_prob()``.

The sampling half of :class:`~gan_edu.trainer.Trainer`. Both run the network in eval mode
(BatchNorm uses its running statistics, so one sample does not depend on the rest of its
batch) without gradients, and draw noise from the trainer's picture stream, never from the
training stream: drawing pictures never changes the course of training. For conditional
networks (lesson 09) they take the class labels; with ``ema=`` the samples come from the
moving average of G (``G_ema``) unless ``use_ema=False``.
"""
from __future__ import annotations

import torch
from torch import nn

from . import _check
from . import models as models_mod
from . import settings as settings_mod
from .models import without_grad

__all__ = ["Sampling"]


class Sampling:
    """The sampling half of :class:`~gan_edu.trainer.Trainer`: ``sample``, ``d_prob``."""

    @without_grad
    def sample(self, n: int, z: torch.Tensor | None = None, generator: torch.Generator | None = None, labels=None,
               use_ema: bool | None = None) -> torch.Tensor:
        """``n`` generator samples [n, *shape] (no gradient, G in eval mode). Uses its own random
        stream, so drawing pictures never changes the course of training. Pass ``z`` [N, latent_dim]
        to choose the noise (then ``n`` is not used). Conditional G: ``labels`` are the classes to
        draw, [N] class indices or one class for all (default: 0, 1, ..., n_classes - 1 in turn).
        ``use_ema``: draw from ``G_ema`` (default: whenever the trainer keeps one) or from G."""
        if z is None:
            z = self.G.sample_noise(_check.positive_int("n", n), generator=generator or self._display_rng)
        else:
            z = settings_mod.as_batch("z", z, (self.G.latent_dim,), f"latent_dim={self.G.latent_dim}")
        G = self._sampler(use_ema)
        y = self._labels_for("labels", labels, len(z))
        with models_mod.eval_mode(G):
            return self._call(G, z.to(self.device), y).cpu()

    @without_grad
    def d_prob(self, x, labels=None) -> torch.Tensor:
        """sigmoid(D(x)) [N] for samples x [N, *shape]: D's probability that each is real (D in
        eval mode); a conditional D needs the ``labels`` to judge them as. With ``pack=m``, D
        judges a pack of m copies of each sample."""
        shape = tuple(self.data.shape)
        x = settings_mod.as_batch("x", x, shape, f"the data's samples have shape {shape}")
        if self.n_classes is not None and labels is None:
            raise TypeError("this D is conditional: pass labels=... (one class per sample) for D to judge x as")
        y = self._labels_for("labels", labels, len(x))
        if self.pack > 1:
            x = x.repeat_interleave(self.pack, dim=0)
        with models_mod.eval_mode(self.D):
            return torch.sigmoid(self._call(self.D, self.packed(x.to(self.device)), y)).cpu()

    def _sampler(self, use_ema: bool | None) -> nn.Module:
        if use_ema is None:
            return self.G if self.G_ema is None else self.G_ema
        if _check.boolean("use_ema", use_ema) and self.G_ema is None:
            raise ValueError("use_ema=True, but this trainer keeps no moving average of G: build it with ema=0.999")
        return self.G_ema if use_ema else self.G

    def _labels_for(self, name: str, labels, n: int) -> torch.Tensor | None:
        """Checked class indices [n] for a conditional trainer (default: 0, 1, ..., K - 1 in turn); None otherwise."""
        if self.n_classes is None:
            if labels is not None:
                raise ValueError(f"{name} were given, but this trainer's G and D are not conditional (they take no "
                                 f"class labels); drop {name}=, or train conditional networks (lesson 09)")
            return None
        if labels is None:
            return torch.arange(n, device=self.device) % self.n_classes
        return models_mod.check_labels(name, labels, n, self.n_classes).to(self.device)

    @staticmethod
    def _call(net, x, y):
        return net(x) if y is None else net(x, y)
