r"""The GAN losses, each with the formula it computes.

Notation: :math:`\ell_r = D(x)` are the discriminator's **logits** on real
samples, :math:`\ell_f = D(G(z))` its logits on fakes, :math:`\sigma` the
sigmoid, so :math:`\sigma(\ell)` is "the probability D gives to *real*".
Every loss is a quantity to **minimise**; ``E`` is the mean over the batch.

The game (Goodfellow et al. 2014, eq. 1) is

.. math::  \min_G \max_D \; V(D, G) = E_x[\log \sigma(\ell_r)] + E_z[\log(1 - \sigma(\ell_f))]

D maximising V is the same as D minimising binary cross-entropy with label 1
for real and 0 for fake. Because :math:`-\log \sigma(\ell) = \mathrm{softplus}(-\ell)`,
working on logits is exact and never takes the log of 0.

Each loss object has ``d_loss(real_logits, fake_logits)`` and
``g_loss(fake_logits)``; :func:`get` looks one up by name.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from . import _check

__all__ = ["GANLoss", "minimax", "non_saturating", "least_squares", "hinge", "wgan_gp",
           "LOSSES", "get", "gradient_penalty", "bce_d_loss"]


def bce_d_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor, real_label: float = 1.0) -> torch.Tensor:
    r"""D's binary cross-entropy, real labelled ``real_label`` (1, or 0.9 with one-sided
    label smoothing) and fake labelled 0:

    .. math::  L_D = -E_x[y \log \sigma(\ell_r) + (1-y)\log(1-\sigma(\ell_r))] - E_z[\log(1 - \sigma(\ell_f))]

    With ``y = 1`` this is :math:`-V(D, G)`. At :math:`\sigma = 1/2` everywhere it is :math:`2\log 2 \approx 1.386`.
    """
    real_target = torch.full_like(real_logits, real_label)
    return (F.binary_cross_entropy_with_logits(real_logits, real_target)                    # real -> y
            + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits)))  # fake -> 0


class GANLoss:
    """A pair of objectives: what D minimises and what G minimises."""

    name = "loss"
    #: True when sigmoid(logit) is a probability of "real" (not for Wasserstein critics)
    probabilistic = True
    #: WGAN-GP adds a gradient penalty on D, computed by the trainer with :func:`gradient_penalty`
    needs_gradient_penalty = False
    #: the losses where a soft real label (label smoothing) makes sense
    supports_real_label = True

    def d_loss(self, real_logits: torch.Tensor, fake_logits: torch.Tensor, real_label: float = 1.0) -> torch.Tensor:
        raise NotImplementedError

    def g_loss(self, fake_logits: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<gan_edu loss {self.name!r}>"


class Minimax(GANLoss):
    r"""The original **saturating** minimax loss (Goodfellow et al. 2014, eq. 1).

    D: minimise  :math:`-E\log\sigma(\ell_r) - E\log(1-\sigma(\ell_f))`  (BCE, see :func:`bce_d_loss`)

    G: minimise  :math:`E\log(1 - \sigma(\ell_f))`  -- exactly G's side of V(D, G).

    Why it stalls: :math:`\partial/\partial\ell_f \, \log(1-\sigma(\ell_f)) = -\sigma(\ell_f)`.
    Early in training D rejects fakes confidently, :math:`\sigma(\ell_f) \approx 0`, so
    G's gradient vanishes just when G most needs it.
    """

    name = "minimax"

    def d_loss(self, real_logits, fake_logits, real_label=1.0):
        return bce_d_loss(real_logits, fake_logits, real_label)

    def g_loss(self, fake_logits):
        return -F.softplus(fake_logits).mean()           # log(1 - sigmoid(l)) = -softplus(l)


class NonSaturating(GANLoss):
    r"""The **non-saturating** loss (Goodfellow et al. 2014, §3) -- the one used in practice.

    D: the same BCE as :class:`Minimax`.

    G: minimise :math:`-E\log\sigma(\ell_f)`, i.e. BCE of the fakes *against the real label 1*.
    That is not a bug: G wants D to call its samples real.

    Same fixed point as the minimax loss, but the gradient is
    :math:`-(1 - \sigma(\ell_f))`: strong exactly when D confidently rejects the fakes.
    """

    name = "non_saturating"

    def d_loss(self, real_logits, fake_logits, real_label=1.0):
        return bce_d_loss(real_logits, fake_logits, real_label)

    def g_loss(self, fake_logits):
        return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))


class LeastSquares(GANLoss):
    r"""Least-squares GAN (Mao et al. 2017): regress D's raw output to the labels.

    D: :math:`\tfrac12 E(\ell_r - y)^2 + \tfrac12 E\,\ell_f^2`;   G: :math:`\tfrac12 E(\ell_f - 1)^2`.

    Fakes far on the correct side of the boundary are still penalised, so the
    gradient does not vanish the way the sigmoid's does.
    """

    name = "least_squares"

    def d_loss(self, real_logits, fake_logits, real_label=1.0):
        return 0.5 * ((real_logits - real_label) ** 2).mean() + 0.5 * (fake_logits ** 2).mean()

    def g_loss(self, fake_logits):
        return 0.5 * ((fake_logits - 1) ** 2).mean()


class Hinge(GANLoss):
    r"""Hinge loss (Lim & Ye 2017; used with spectral norm by Miyato et al. 2018).

    D: :math:`E\,\max(0, 1 - \ell_r) + E\,\max(0, 1 + \ell_f)`;   G: :math:`-E\,\ell_f`.

    D stops pushing once a sample is beyond the margin of 1.
    """

    name = "hinge"
    supports_real_label = False

    def d_loss(self, real_logits, fake_logits, real_label=1.0):
        return F.relu(1 - real_logits).mean() + F.relu(1 + fake_logits).mean()

    def g_loss(self, fake_logits):
        return -fake_logits.mean()


class WGANGP(GANLoss):
    r"""Wasserstein GAN with gradient penalty (Gulrajani et al. 2017).

    The critic estimates the Wasserstein-1 distance :math:`E\,\ell_r - E\,\ell_f`.

    D (critic): :math:`E\,\ell_f - E\,\ell_r + \lambda\,E(\lVert\nabla_{\hat x} D(\hat x)\rVert_2 - 1)^2`,
    with :math:`\hat x` on straight lines between real and fake samples
    (the penalty is added by the trainer; see :func:`gradient_penalty`).

    G: :math:`-E\,\ell_f`.

    The critic's output is a score, not a probability.
    """

    name = "wgan_gp"
    probabilistic = False
    needs_gradient_penalty = True
    supports_real_label = False

    def d_loss(self, real_logits, fake_logits, real_label=1.0):
        return fake_logits.mean() - real_logits.mean()

    def g_loss(self, fake_logits):
        return -fake_logits.mean()


minimax = Minimax()
non_saturating = NonSaturating()
least_squares = LeastSquares()
hinge = Hinge()
wgan_gp = WGANGP()

LOSSES = {loss.name: loss for loss in (minimax, non_saturating, least_squares, hinge, wgan_gp)}


def get(loss) -> GANLoss:
    """A loss by name (``"minimax"``, ``"non_saturating"``, ``"least_squares"``, ``"hinge"``,
    ``"wgan_gp"``) or a :class:`GANLoss` instance passed through."""
    if isinstance(loss, GANLoss):
        return loss
    if not isinstance(loss, str):
        raise TypeError(f"loss must be a loss name or a gan_edu.losses.GANLoss, got {type(loss).__name__}")
    return LOSSES[_check.one_of("loss", loss, LOSSES)]


def gradient_penalty(D: nn.Module, real: torch.Tensor, fake: torch.Tensor,
                     generator: torch.Generator | None = None) -> torch.Tensor:
    r""":math:`E(\lVert\nabla_{\hat x} D(\hat x)\rVert_2 - 1)^2` with
    :math:`\hat x = \epsilon x + (1-\epsilon)\tilde x`, :math:`\epsilon \sim U[0, 1]` per sample.

    Keeps the critic close to 1-Lipschitz, which the Wasserstein estimate needs.
    The result is differentiable w.r.t. D's parameters (``create_graph=True``).
    """
    eps_shape = (real.shape[0],) + (1,) * (real.ndim - 1)
    eps = torch.rand(eps_shape, generator=generator).to(real.device)
    x_hat = (eps * real + (1 - eps) * fake.detach()).requires_grad_(True)
    grad, = torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=True)
    return ((grad.reshape(grad.shape[0], -1).norm(dim=1) - 1) ** 2).mean()
