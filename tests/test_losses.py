"""Every loss against torch.nn.functional or a hand-computed oracle."""
import math

import pytest
import torch
import torch.nn.functional as F

import gan_edu as ge

torch.manual_seed(0)
REAL = torch.randn(50, dtype=torch.float64) * 2
FAKE = torch.randn(50, dtype=torch.float64) * 2 - 1


def bce(logits, label):
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, label))


def test_bce_d_loss_is_the_negative_value_function():
    expected = bce(REAL, 1.0) + bce(FAKE, 0.0)
    torch.testing.assert_close(ge.losses.bce_d_loss(REAL, FAKE), expected)
    v = torch.log(torch.sigmoid(REAL)).mean() + torch.log(1 - torch.sigmoid(FAKE)).mean()
    torch.testing.assert_close(ge.losses.minimax.d_loss(REAL, FAKE), -v)
    torch.testing.assert_close(ge.losses.non_saturating.d_loss(REAL, FAKE), -v)


def test_d_loss_at_equilibrium_is_2_log_2():
    zeros = torch.zeros(10)
    assert ge.losses.non_saturating.d_loss(zeros, zeros).item() == pytest.approx(2 * math.log(2))
    assert ge.losses.non_saturating.g_loss(zeros).item() == pytest.approx(math.log(2))


def test_label_smoothing_uses_the_soft_label():
    torch.testing.assert_close(ge.losses.non_saturating.d_loss(REAL, FAKE, real_label=0.9),
                               bce(REAL, 0.9) + bce(FAKE, 0.0))


def test_minimax_generator_loss_is_log_one_minus_d():
    expected = torch.log(1 - torch.sigmoid(FAKE)).mean()
    torch.testing.assert_close(ge.losses.minimax.g_loss(FAKE), expected)


def test_non_saturating_generator_loss_is_bce_against_the_real_label():
    torch.testing.assert_close(ge.losses.non_saturating.g_loss(FAKE), bce(FAKE, 1.0))
    torch.testing.assert_close(ge.losses.non_saturating.g_loss(FAKE), -torch.log(torch.sigmoid(FAKE)).mean())


def test_least_squares():
    torch.testing.assert_close(ge.losses.least_squares.d_loss(REAL, FAKE),
                               0.5 * F.mse_loss(REAL, torch.ones_like(REAL)) + 0.5 * F.mse_loss(FAKE, torch.zeros_like(FAKE)))
    torch.testing.assert_close(ge.losses.least_squares.g_loss(FAKE), 0.5 * F.mse_loss(FAKE, torch.ones_like(FAKE)))


def test_hinge():
    expected = sum(max(0.0, 1 - r) for r in REAL.tolist()) / 50 + sum(max(0.0, 1 + f) for f in FAKE.tolist()) / 50
    assert ge.losses.hinge.d_loss(REAL, FAKE).item() == pytest.approx(expected)
    assert ge.losses.hinge.g_loss(FAKE).item() == pytest.approx(-FAKE.mean().item())


def test_wasserstein_critic_and_generator():
    assert ge.losses.wgan_gp.d_loss(REAL, FAKE).item() == pytest.approx((FAKE.mean() - REAL.mean()).item())
    assert ge.losses.wgan_gp.g_loss(FAKE).item() == pytest.approx(-FAKE.mean().item())
    assert ge.losses.wgan_gp.needs_gradient_penalty and not ge.losses.wgan_gp.probabilistic


def test_gradient_penalty_against_a_linear_critic():
    """D(x) = w.x has gradient w everywhere: the penalty is exactly (|w| - 1)^2."""
    D = torch.nn.Linear(2, 1, bias=False)
    with torch.no_grad():
        D.weight.copy_(torch.tensor([[3.0, 4.0]]))
    critic = lambda x: D(x).squeeze(1)  # noqa: E731
    gp = ge.losses.gradient_penalty(critic, torch.randn(16, 2), torch.randn(16, 2))
    assert gp.item() == pytest.approx(16.0)
    gp.backward()
    # d/dw (|w|-1)^2 = 2(|w|-1) w/|w|
    torch.testing.assert_close(D.weight.grad, torch.tensor([[2 * 4 * 0.6, 2 * 4 * 0.8]]))


def g_grad_wrt_logit(loss, p):
    logit = torch.logit(torch.tensor([p], dtype=torch.float64)).requires_grad_(True)
    loss.g_loss(logit).backward()
    return logit.grad.abs().item()


def test_saturating_gradient_vanishes_against_a_confident_d():
    """At D(G(z)) = 0.01 the minimax G loss has a ~99x smaller gradient than the non-saturating one."""
    sat = g_grad_wrt_logit(ge.losses.minimax, 0.01)
    ns = g_grad_wrt_logit(ge.losses.non_saturating, 0.01)
    assert sat == pytest.approx(0.01) and ns == pytest.approx(0.99)
    assert ns / sat == pytest.approx(99)
    # and the other way round once D is fooled
    assert g_grad_wrt_logit(ge.losses.minimax, 0.99) > g_grad_wrt_logit(ge.losses.non_saturating, 0.99)


def test_get_by_name_and_errors():
    assert ge.losses.get("hinge") is ge.losses.hinge
    assert ge.losses.get(ge.losses.minimax) is ge.losses.minimax
    with pytest.raises(ValueError, match="'minimax', 'non_saturating'"):
        ge.losses.get("vanilla")
    with pytest.raises(TypeError, match="loss"):
        ge.losses.get(3)
    for loss in ge.losses.LOSSES.values():
        assert "math" in (type(loss).__doc__ or "")   # each carries its formula
